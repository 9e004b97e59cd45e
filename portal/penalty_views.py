"""Penalty links (indexer.store.penalties) as the document page shows them: under each article, the penalties
for breaking it and the acts it punishes; and, when a search landed on an article, the 执法依据 card (违法行为 /
违反条款 / 处罚依据 / 处罚种类和幅度)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from indexer.store.penalties import (
    ArticlePenalties,
    by_article,
    has_penalty_wording,
    links_for,
    sanctions_of,
)
from indexer.store.views import ArticleView

ACT_CHARS = 120  # the 违法行为 cell shows at most this much of the clause


@dataclass(frozen=True)
class BasisRow:
    act: str  # 违法行为
    violated: str  # 违反条款
    violated_anchor: str | None
    penalty: str  # 处罚依据
    penalty_anchor: str | None
    sanctions: str  # 处罚种类和幅度
    authority: str | None


def article_penalties(session: Session, work_id: str, seq: int,
                      articles: Sequence[ArticleView]) -> dict[str, ArticlePenalties]:
    """The version's links (stored, or computed when never stored) filed under each article's anchor."""
    links = links_for(session, work_id, seq, [(a.number, a.sub, a.text) for a in articles])
    anchors = {(a.number, a.sub): a.anchor for a in articles}
    return {anchors[key]: found for key, found in by_article(links).items() if key in anchors}


def _short(text: str) -> str:
    text = re.sub(r"^第[^条]{1,12}条(?:之[^\s]{1,3})?\s*", "", " ".join(text.split()))
    return text if len(text) <= ACT_CHARS else text[:ACT_CHARS] + "……"


def legal_basis(articles: Sequence[ArticleView], penalties: dict[str, ArticlePenalties],
                anchor: str) -> list[BasisRow]:
    """The 执法依据 rows for the article a search landed on; none when it neither sets nor is enforced by a
    penalty."""
    article = next((a for a in articles if a.anchor == anchor), None)
    if article is None:
        return []
    found = penalties.get(anchor)
    rows: list[BasisRow] = []
    if found is not None:
        for link in found.punishes:
            rows.append(BasisRow(_short(link.clause), link.enforced.label, f"art-{link.enforced.number}"
                                 + (f"-{link.enforced.sub}" if link.enforced.sub else ""), article.label, anchor,
                                 link.summary, link.authority))
        for link in found.penalised_by:
            penalty_anchor = f"art-{link.penalty.number}" + (f"-{link.penalty.sub}" if link.penalty.sub else "")
            rows.append(BasisRow(_short(article.text), link.enforced.label, anchor, link.penalty.label,
                                 penalty_anchor, link.summary, link.authority))
    if not rows and has_penalty_wording(article.text):
        # The article states the act and its penalty at once (饮酒后驾驶机动车的，处……).
        kinds, fines, detention, authority = sanctions_of(" ".join(article.text.split()))
        parts = [("罚款（" + "；".join(fines) + "）") if k == "罚款" and fines else
                 ("拘留（" + "；".join(detention) + "）") if k == "拘留" and detention else k for k in kinds]
        act = _short(article.text)
        cut = act.find("的，")
        rows.append(BasisRow(act[:cut + 1] if 0 < cut < ACT_CHARS else act, "本条所列行为", anchor, article.label, anchor, "、".join(parts),
                             authority))
    return rows
