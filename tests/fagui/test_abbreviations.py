from fagui.abbreviations import expand


def test_short_names_expand_and_keep_their_rest():
    assert expand("道交法") == "道路交通安全法"
    assert expand("《道交法》") == "道路交通安全法"
    assert expand("道交法实施条例") == "道路交通安全法实施条例"
    assert expand("治安处罚法") == "治安管理处罚法"


def test_full_names_and_other_words_are_left_alone():
    assert expand("道路交通安全法") is None
    assert expand("消防法") is None
    assert expand("罚款") is None
