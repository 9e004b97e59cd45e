"""The OpenAPI 3.0 description of /api/v1, built from the same vocabulary and limits the API enforces.

tests/portal/test_api_schema.py runs schemathesis against it, so a change to a response shape that is not made
here too fails the tests."""

from __future__ import annotations

from functools import cache

from fagui.vocabulary import DOC_TYPES, RELATION_TYPES, STATUSES
from indexer.search.service import MAX_PAGE, MAX_PER_PAGE
from indexer.store.documents import MAX_ARTICLE, MAX_SEQ, PAIR_OPS
from portal.params import MAX_QUERY_CHARS

API_VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict) -> dict:
    return {**schema, "nullable": True}


STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
N_STR = _nullable(STR)
N_DATE = _nullable(DATE)
STATUS = {"type": "string", "enum": list(STATUSES)}


def _obj(properties: dict, required: list[str] | None = None, nullable: bool = False) -> dict:
    schema = {"type": "object", "properties": properties, "required": required or list(properties)}
    return _nullable(schema) if nullable else schema


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


STATUS_FIELDS = {
    "status": STATUS,
    "status_label": STR,
    "status_official": BOOL,
    "status_basis": {"type": "string", "enum": ["官方标注", "系统推断"]},
}

SCHEMAS: dict[str, dict] = {
    "Error": _obj({"error": _obj({"status": INT, "message": STR})}),
    "Hit": _obj({
        "work_id": STR, "version": INT, "is_current": BOOL, "title": STR, "doc_type": N_STR, "region": STR,
        "status": STATUS, "status_label": STR, "status_official": BOOL, "published": N_DATE,
        "effective": N_DATE, "issuing_bodies": _array(STR), "doc_number": N_STR, "score": {"type": "number"},
        "snippet": {"type": "string", "description": "HTML: the text escaped, matched words in <mark>"},
        "articles": _array(_obj({"number": INT, "sub": INT, "label": STR, "anchor": STR, "snippet": STR})),
    }),
    "DirectAnswer": _obj({
        "type": {"type": "string", "enum": ["article", "document"]},
        "work_id": STR, "title": STR,
        "status": STATUS,
        "article": _obj({"number": INT, "sub": INT, "label": STR, "anchor": STR, "path": N_STR, "text": STR}),
        "doc_number": N_STR,
        "version": {**INT, "description": "the version opened: with as_of, the one in force on that day"},
        "is_current": BOOL,
    }, required=["type", "work_id", "title"], nullable=True),
    "FacetValue": _obj({"value": STR, "count": INT, "label": STR, "id": STR}, required=["value", "count"]),
    "Facets": _obj({name: _array(_ref("FacetValue")) for name in ("doc_type", "region", "status", "issuing_body")},
                   required=[]),
    "SearchResult": _obj({
        "query": STR, "total": INT, "page": INT, "per_page": INT, "took_ms": {"type": "number"},
        "mode": {"type": "string", "enum": ["exact", "fuzzy"],
                 "description": "the matching used: fuzzy when asked for, or when nothing matched exactly"},
        "direct": _ref("DirectAnswer"), "warnings": _array(STR), "hits": _array(_ref("Hit")),
        "facets": _ref("Facets"),
    }),
    "FacetResult": _obj({"query": STR, "total": INT, "facets": _ref("Facets")}),
    "VersionSummary": _obj({
        "seq": INT, "title": STR, "doc_number": N_STR, "published": N_DATE, "effective_from": N_DATE,
        "effective_to": N_DATE, "expires": N_DATE, **STATUS_FIELDS, "source_status": N_STR, "source_url": N_STR,
        "is_current": BOOL, "created_at": _nullable({"type": "string", "description": "ISO 8601, UTC"}),
    }),
    "WorkSummary": _obj({
        "id": STR, "title": STR, "doc_type": N_STR, "region": STR, **STATUS_FIELDS, "status_reason": N_STR,
    }),
    "RelationItem": _obj({
        "work_id": N_STR, "title": STR, "resolved": BOOL, "doc_number": N_STR,
        "article": {**N_STR, "description": "the cited article (133 or 133-1): in an outgoing group an article of "
                    "the linked work, in an incoming group an article of this work"},
        "effective": N_DATE, "status": _nullable(STATUS), "status_label": N_STR,
        "version": {**_nullable(INT), "description": "the version (seq) of the cited work whose article the citing "
                    "text meant, the one in force on its date, when that is not the current version; null: the "
                    "current version, or no article"},
        "article_may_differ": {**BOOL, "description": "the citing text is older than every stored version of the "
                               "cited work: the article number refers to an earlier text and may differ now"},
        "stored_from": {**N_DATE, "description": "with article_may_differ: the day the cited work's earliest stored "
                        "version was published"},
    }),
    "RelationGroup": _obj({
        "type": {"type": "string", "enum": list(RELATION_TYPES)},
        "direction": {"type": "string", "enum": ["outgoing", "incoming"]},
        "label": STR, "items": _array(_ref("RelationItem")),
    }),
    "HistoryEvent": _obj({"kind": STR, "date": N_DATE, "body": N_STR, "text": STR}, required=[]),
    "Work": {"allOf": [_ref("WorkSummary"), _obj({
        "region_code": N_STR,
        "issuing_bodies": _array(_obj({"id": INT, "name": STR})),
        "current_version": _nullable(INT), "doc_number": N_STR, "published": N_DATE, "effective_from": N_DATE,
        "expires": N_DATE, "source_url": N_STR, "history": _array(_ref("HistoryEvent")),
        "updated_at": N_STR, "versions": _array(_ref("VersionSummary")),
        "relations": _array(_ref("RelationGroup")),
    })]},
    "VersionList": _obj({"work_id": STR, "title": STR, "current_version": _nullable(INT),
                         "versions": _array(_ref("VersionSummary"))}),
    "Article": _obj({"number": INT, "sub": INT, "label": STR, "path": N_STR, "anchor": STR, "text": STR}),
    "TocEntry": _obj({"title": STR, "level": INT, "anchor": STR, "first_article": STR, "last_article": STR,
                      "children": _array({"$ref": "#/components/schemas/TocEntry"})}),
    "VersionDetail": _obj({
        "work": _ref("WorkSummary"), "issuing_bodies": _array(STR), "version": _ref("VersionSummary"),
        "versions": _array(INT), "preamble": STR, "body": N_STR, "articles": _array(_ref("Article")),
        "toc": _array(_ref("TocEntry")), "attachments": _array({"type": "object"}),
        "facts": _array(_ref("Fact")),
    }),
    "Fact": _obj({
        "field": {"type": "string", "enum": ["published", "effective", "status"]}, "value": STR, "source": STR,
        "basis": {"type": "string", "enum": ["official", "collection", "inferred"]}, "basis_label": STR,
        "source_ref": STR, "source_url": N_STR, "chosen": {"type": "boolean"},
    }),
    "ArticleDetail": _obj({
        "work": _ref("WorkSummary"), "version": _ref("VersionSummary"), "article": _ref("Article"),
        "previous": N_STR, "next": N_STR,
    }),
    "Segment": {"type": "array", "items": STR, "minItems": 2, "maxItems": 2,
                "description": "[op, text]: op is equal, delete (old side) or insert (new side); text unescaped"},
    "ComparedArticle": _obj({"number": INT, "sub": INT, "label": STR, "anchor": STR, "path": N_STR},
                            nullable=True),
    "ComparePair": _obj({
        "op": {"type": "string", "enum": list(PAIR_OPS)}, "op_label": STR, "renumbered": BOOL,
        "old": _ref("ComparedArticle"), "new": _ref("ComparedArticle"),
        "old_segments": _array(_ref("Segment")), "new_segments": _array(_ref("Segment")),
    }),
    "Comparison": _obj({
        "work": _ref("WorkSummary"), "old": _ref("VersionSummary"), "new": _ref("VersionSummary"),
        "counts": _obj({op: INT for op in PAIR_OPS}), "pairs": _array(_ref("ComparePair")),
    }),
}


def _error(description: str, retry_after: bool = False) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
    if retry_after:
        response["headers"] = {"Retry-After": {"description": "秒数", "schema": {"type": "string"}}}
    return response


RESPONSES = {
    "BadRequest": _error("参数有误（中文说明在 error.message）"),
    "NotFound": _error("未找到该法规、版本或条文"),
    "TooManyRequests": _error("超过每个客户端每分钟的请求次数（按工作进程计）", retry_after=True),
    "Unavailable": _error("数据库或检索服务暂时不可用", retry_after=True),
}


def _ok(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}},
            "headers": {"X-RateLimit-Remaining": {"description": "本分钟内剩余请求次数",
                                                  "schema": {"type": "string"}}}}


def _responses(ok: dict, *errors: str) -> dict:
    out = {"200": ok}
    codes = {"BadRequest": "400", "NotFound": "404"}
    for name in errors:
        out[codes[name]] = {"$ref": f"#/components/responses/{name}"}
    out["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    out["503"] = {"$ref": "#/components/responses/Unavailable"}
    return out


def _list_param(name: str, description: str, enum: list[str] | None = None) -> dict:
    items = {"type": "string", "enum": enum} if enum else {"type": "string", "maxLength": 40}
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": description + "（可重复，或用逗号分隔）", "schema": {"type": "array", "items": items}}


def _param(name: str, description: str, schema: dict, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema}


SEARCH_PARAMS = [
    _param("q", "检索词：空格分隔的词须同时出现，\"引号\"为短语，OR 为任一，-词 为排除；也可为“法规名+条号”或发文字号",
           {"type": "string", "maxLength": MAX_QUERY_CHARS}),
    _param("mode", "检索方式：exact 精确检索（默认，每个词按原文连续的字匹配）；fuzzy 模糊检索（按词匹配，不要求相连）。"
           "精确检索没有结果时自动改用模糊检索，并在 warnings 中说明",
           {"type": "string", "enum": ["exact", "fuzzy"], "default": "exact"}),
    _list_param("status", "时效性，默认 effective（现行有效）；all 为全部", [*STATUSES, "all"]),
    _list_param("doc_type", "效力级别", list(DOC_TYPES)),
    _list_param("region", "行政区划名称或代码，例如 山东省、370000、全国"),
    _param("body", "制定机关名称（含简称）或编号", {"type": "string", "maxLength": 200}),
    _param("sort", "排序", {"type": "string", "enum": ["relevance", "published", "effective"],
                          "default": "relevance"}),
    _param("page", "页码", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    _param("per_page", "每页条数", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 10}),
    _param("published_from", "公布日期起", DATE),
    _param("published_to", "公布日期止", DATE),
    _param("effective_from", "施行日期起", DATE),
    _param("effective_to", "施行日期止", DATE),
    _param("as_of", "时点：显示该日有效的版本", DATE),
]
WORK_ID = _param("work_id", "法规编号", {"type": "string", "pattern": "^[a-z2-7]{12}$"}, "path")
SEQ = _param("seq", "版本序号（1 为最早的版本）", {"type": "integer", "minimum": 1, "maximum": MAX_SEQ}, "path")
ARTICLE = _param("article", f"条号：91、133-1（第一百三十三条之一）或 第九十一条；最大 {MAX_ARTICLE}",
                 {"type": "string", "pattern": r"^[0-9]{1,5}(-[0-9]{1,5})?$"}, "path")


def _get(summary: str, params: list[dict], responses: dict, op_id: str) -> dict:
    return {"get": {"summary": summary, "operationId": op_id, "parameters": params, "responses": responses}}


@cache
def openapi_spec() -> dict:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "法规统一公开查询平台 API",
            "version": API_VERSION,
            "description": "法律、法规、规章和规范性文件的检索与全文。错误以 JSON 返回："
                           "{\"error\": {\"status\": 状态码, \"message\": 中文说明}}。"
                           "每个客户端地址每分钟的请求次数有限（按服务进程分别计数），超出时返回 429 与 Retry-After。",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/search": _get("检索", SEARCH_PARAMS, _responses(_ok("SearchResult", "检索结果"), "BadRequest"),
                            "search"),
            "/facets": _get("各筛选项的计数", SEARCH_PARAMS,
                            _responses(_ok("FacetResult", "分面计数"), "BadRequest"), "facets"),
            "/works/{work_id}": _get("法规详情：时效性、版本沿革、关联", [WORK_ID],
                                     _responses(_ok("Work", "法规"), "NotFound"), "getWork"),
            "/works/{work_id}/versions": _get("版本列表", [WORK_ID],
                                              _responses(_ok("VersionList", "版本"), "NotFound"), "listVersions"),
            "/works/{work_id}/versions/{seq}": _get(
                "某一版本的全文（按条）与目录", [WORK_ID, SEQ],
                _responses(_ok("VersionDetail", "版本全文"), "NotFound"), "getVersion"),
            "/works/{work_id}/versions/{seq}/articles/{article}": _get(
                "某一版本的一条", [WORK_ID, SEQ, ARTICLE],
                _responses(_ok("ArticleDetail", "条文"), "BadRequest", "NotFound"), "getArticle"),
            "/works/{work_id}/compare": _get(
                "新旧对照：两个版本逐条比较", [
                    WORK_ID,
                    _param("a", "旧版本序号，默认为 b 的前一版", {"type": "integer", "minimum": 1, "maximum": MAX_SEQ}),
                    _param("b", "新版本序号，默认为现行版本", {"type": "integer", "minimum": 1, "maximum": MAX_SEQ}),
                ], _responses(_ok("Comparison", "对照结果"), "BadRequest", "NotFound"), "compareVersions"),
        },
        "components": {"schemas": SCHEMAS, "responses": RESPONSES},
    }
