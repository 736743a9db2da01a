"""Table rows → fields: each cell is read by what its text is (a date, a team, a category, a long
description), with the column header as a hint, never by position alone."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from readlist.importer.markdown import BARE_URL, Block, Line

# Header words that name a column's meaning (Chinese and English).
COLUMN_ROLES = {
    "link": (
        "论文",
        "链接",
        "paper",
        "link",
        "title",
        "名称",
        "标题",
        "项目",
        "框架",
        "repo",
        "name",
        "survey",
        "文章",
    ),
    "date": ("日期", "时间", "date", "year", "time", "发布"),
    "team": ("团队", "机构", "team", "org", "affiliation", "单位", "公司", "institution"),
    "author": ("作者", "author"),
    "category": ("分类", "类别", "类型", "category", "type", "topic", "领域", "方向"),
    "note": (
        "概要",
        "描述",
        "介绍",
        "简介",
        "说明",
        "summary",
        "description",
        "note",
        "备注",
        "要点",
        "详情",
        "detail",
        "评价",
        "点评",
        "评论",
        "感想",
        "comment",
        "remark",
    ),
    "index": ("编号", "序号", "#", "no.", "id", "index"),
}
_SPACES = re.compile(r"\s+")
_ABBREVIATED = re.compile(r"(?<![A-Za-z])(?:Univ|Inc|Corp|Ltd|Co)\.$")
_REPEATED_MARKS = re.compile(r"\s*([,，、;；])(?:\s*[,，、;；])+\s*")
_DATE = re.compile(r"^\s*(\d{4})\s*[./\-年]\s*(\d{1,2})(?:\s*[./\-月]\s*(\d{1,2})\s*日?)?\s*$")
_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*年?\s*$")
_SENTENCE = re.compile(r"[。，；！？.,;!?]\s")
SHORT = 60  # longer cell text is a description, whatever its column says
# What tables and paper lines glue in front of a title: a date (`2024/03`, `LWN 2025/07/01,`), an arXiv
# category (`[cs.CL]`, `cs.LG`, `Human-Computer Interaction (cs.HC),`), a topic in brackets before a date
# (`【推理】2025-01-02`).
# A date is 19xx/20xx and never runs on into digits, so the arXiv ID `2405.04434` is not `2405.04` + `434`.
_SEP = r"\s*[,，;；:：|\-—]?\s*"
_DATE_TEXT = r"(?:19|20)\d{2}\s*[./\-年]\s*\d{1,2}(?!\d)(?:\s*[./\-月]\s*\d{1,2}(?!\d)\s*日?)?"
_DATE_TEXT_RE = re.compile(_DATE_TEXT)
_TITLE_PREFIXES = (
    ("id", re.compile(r"^\s*(?:arXiv\s*:\s*)?\d{4}\.\d{4,5}(?:v\d+)?(?!\d)" + _SEP, re.IGNORECASE)),
    ("date", re.compile(r"^\s*(?:[A-Z][A-Za-z]{1,11}\s+)?(" + _DATE_TEXT + r")" + _SEP)),
    # a topic in brackets only goes with the date after it: `【BBuf的CUDA笔记】十二，…` is a post's own title
    ("tag", re.compile(r"^\s*(?:\[[^\[\]]{1,20}\]|【[^【】]{1,20}】)\s*(?=" + _DATE_TEXT + ")")),
    ("tag", re.compile(r"^\s*[\[(]?(?:[a-z]{2,8}(?:-[a-z]{2,5})?\.[A-Z]{2})[\])]?(?![\w.])" + _SEP)),
    ("tag", re.compile(r"^\s*[A-Z][A-Za-z\s\-&,]{2,60}\((?:[a-z\-]+)\.[A-Za-z\-]{2,}\)" + _SEP)),
)
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")

# Conferences and journals, written with a year (`ASPLOS26`, `ICLR 2025`, `SC2025`, `(NeurIPS 2025, Oral)`,
# `EuroSys25 best paper`): a venue, never a team.
VENUES = (
    "ASPLOS|SOSP|OSDI|NSDI|EuroSys|USENIX ATC|ATC|FAST|ISCA|MICRO|HPCA|SC|PPoPP|MLSys|ICLR|ICML|NeurIPS|NIPS|ACL|"
    "EMNLP|NAACL|COLING|COLM|CVPR|ICCV|ECCV|AAAI|IJCAI|KDD|WWW|SIGMOD|VLDB|ICDE|DAC|ICCAD|SIGCOMM|MobiCom|MobiSys|"
    "OOPSLA|PLDI|CGO|PACT|ICS|IPDPS|HPDC|SoCC|Middleware|ISSCC|TPDS|TOCS|TACL|TMLR|JMLR|SIGGRAPH|UAI|AISTATS|CIKM|"
    "SIGIR|WSDM|RecSys|INFOCOM|ICPP|FPGA|ISPASS|IISWC|ICSE|FSE|ISSTA|VEE|APSys|HotOS|HotChips|Hot Chips|ICDCS"
)
_VENUE = re.compile(
    r"(?<![A-Za-z])(?:" + VENUES + r")\s*'?(?:19|20)?\d{2}(?!\d)"
    r"(?:\s*[,，]?\s*(?:best paper(?:\s+(?:award|honorable mentions?))?|oral|spotlight|poster|workshop|findings)"
    r"(?![A-Za-z])|\s*(?:投稿|在投|under review))*",
    re.IGNORECASE,
)
# Organisations: words that make a name one, and names people write alone.
_ORG_WORD = re.compile(
    r"大学|学院|研究院|研究所|研究中心|实验室|科学院|中科院|公司|集团|团队|课题组|科技|"
    r"(?<![A-Za-z])(?:University|Univ\.?|Institute|College|School|Labs?|Laboratory|Research|Academy|Inc\.?|Corp|"
    r"Ltd|Foundation|Center|Centre|Group|Team)(?![A-Za-z])",
    re.IGNORECASE,
)
_ORGS_CJK = (
    "清华|北大|北京大学|上交|上海交大|浙大|复旦|南大|中科大|哈工大|华科|武大|中大|港大|港中文|港科大|港科广|港理工|北航|北邮|"
    "人大|同济|西交|电子科大|国防科大|之江|鹏城|智源|斯坦福|伯克利|普林斯顿|麻省理工|卡内基梅隆|哈佛|剑桥|牛津|康奈尔|"
    "华盛顿大学|加州大学|微软|谷歌|阿里|字节|华为|腾讯|百度|小米|美团|快手|蚂蚁|京东|商汤|旷视|智谱|月之暗面|深度求索|"
    "英伟达|英特尔|苹果|亚马逊|无问芯穹|零一万物|面壁|阶跃|寒武纪|海光|壁仞|摩尔线程|沐曦"
)
_ORG_CJK = re.compile(_ORGS_CJK)
_ORG_LATIN = re.compile(
    r"(?<![A-Za-z])(?:MIT|CMU|UCB|UCLA|UCSD|UIUC|NYU|ETH|EPFL|KAIST|NUS|NTU|HKU|HKUST|CUHK|SJTU|PKU|THU|ZJU|USTC|"
    r"ISTA|IST|Stanford|Berkeley|Princeton|Harvard|Cornell|Oxford|Cambridge|Google|DeepMind|Meta|FAIR|Microsoft|"
    r"MSR|NVIDIA|NV|AMD|Intel|Apple|Amazon|AWS|IBM|OpenAI|Anthropic|Alibaba|Qwen|ByteDance|Seed|Huawei|Tencent|"
    r"Baidu|Xiaomi|Meituan|DeepSeek|Moonshot|Kimi|Mistral|Cohere|Databricks|Snowflake|Together|HuggingFace|"
    r"Hugging Face|Samsung|Qualcomm|Arm|Cerebras|Groq|SambaNova|Tsinghua|Peking|Zhejiang|Fudan)(?![A-Za-z])"
)
# Words that say something about the paper, not who wrote it: `未开源`, `paper:`, `(last update …)`.
_LABEL = re.compile(r"^\s*(?:paper|论文|code|代码|blog|博客|link|链接|arxiv|pdf|github)\s*[:：]\s*", re.IGNORECASE)
_REMARK = re.compile(
    r"[^\s,，;；、]*(?:开源|闭源|未发表|提交|投稿)[^\s,，;；、]*|best paper|(?:last )?updated?", re.IGNORECASE
)
_PROSE = re.compile(
    r"[的是了用将把]|基于|通过|提出|实现|支持|(?<![A-Za-z])(?:using|based|with|for)(?![A-Za-z])", re.IGNORECASE
)  # a phrase, not a name (`for` as a word: Salesforce is a name)
_CJK_CLAUSE = re.compile(r"[。！？；]")
_PARENS = re.compile(r"[(（][^()（）]*[)）]")
_NUMBERS = re.compile(r"(?<![\w.])[\d.\-/:]+(?![\w.])")
_SEPARATORS = " ,，、;；。.&/|[]【】·"


@dataclass
class RowFields:
    published: str | None = None
    affiliation: str | None = None
    venue: str | None = None
    authors: list[dict[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    note_parts: list[str] = field(default_factory=list)

    @property
    def note(self) -> str | None:
        return " — ".join(p for p in self.note_parts if p) or None


def column(header: list[str], role: str) -> int | None:
    for i, name in enumerate(header):
        low = name.lower().strip()
        if role == "index":
            if low in COLUMN_ROLES["index"]:
                return i
        elif any(word in low for word in COLUMN_ROLES[role]):
            return i
    return None


@lru_cache(maxsize=256)
def roles_of(header: tuple[str, ...]) -> dict[str, int | None]:
    """Every role's column in a table header (a file's tables share a few headers: computed once each)."""
    return {role: column(list(header), role) for role in COLUMN_ROLES}


def as_date(text: str) -> str | None:
    """`2024/07`, `2024-07-15`, `2024年7月` → `2024-07`(-15); None when the text is not just a date."""
    m = _DATE.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        day = m.group(3)
        return f"{m.group(1)}-{int(m.group(2)):02d}" + (f"-{int(day):02d}" if day and 1 <= int(day) <= 31 else "")
    y = _YEAR.match(text)
    return y.group(1) if y else None


def clean_title(text: str) -> tuple[str, str | None]:
    """A link text without what a table or list glued in front (an arXiv ID, a date, a category); also
    returns that date. `2405.04434 DeepSeek-V2: …` → `DeepSeek-V2: …`; `【推理】2025-01-02 Medusa 解读` →
    `Medusa 解读`. Text that would be left without a word keeps its prefix."""
    date = None
    for _ in range(6):
        for kind, pattern in _TITLE_PREFIXES:
            m = pattern.match(text)
            if m and _WORDY.search(text, m.end()) and len(text) - m.end() >= 3:
                if kind == "date" and date is None:
                    date = as_date(m.group(1))
                text = text[m.end() :]
                break
        else:
            break
    return text.strip(), date


def words_before(cell: Line, k: int) -> str:
    """The cell's text between its k-1-th and k-th link: the title a generic `[link](…)` stands after."""
    start = cell.links[k - 1].end if k else 0
    return cell.text[start : cell.links[k].start] if start <= cell.links[k].start else ""


def is_description(text: str) -> bool:
    """Long text, or a sentence (`ICLR 2025, Oral` and `清华大学, MIT` are not): a note, never a field."""
    return len(text) > SHORT or _is_sentence(text)


# Short cell texts repeat down a column (`MLSys 2024`, `清华大学`): each is read once, then remembered
# (only texts of at most SHORT characters, so what is kept stays small).
CELL_MEMO = 4096


@lru_cache(maxsize=CELL_MEMO)
def _is_sentence(text: str) -> bool:
    return bool(_SENTENCE.search(_VENUE.sub(" ", text)) and not is_org(text))


def is_org(text: str) -> bool:
    """Does the text name an organisation (a university, lab, company) somewhere in it?"""
    return bool(_ORG_WORD.search(text) or _ORG_CJK.search(text) or _ORG_LATIN.search(text))


def _all_orgs(text: str) -> bool:
    """Is every part of the text an organisation (`加州大学圣塔克鲁兹分校、上海科技大学等`, `阿里巴巴`)?"""
    return _all_orgs_short(text) if len(text) <= SHORT else _every_part_an_org(text)


@lru_cache(maxsize=CELL_MEMO)
def _all_orgs_short(text: str) -> bool:
    return _every_part_an_org(text)


def _every_part_an_org(text: str) -> bool:
    parts = [p for p in re.split(r"[,，、;；&/]|\s+(?:and|和|与)\s+", text) if p.strip()]
    return bool(parts) and all(len(p) <= 40 and is_org(p) and not _PROSE.search(p) for p in parts)


@dataclass
class Lead:
    """What a list line or a cell puts before a paper: dates, an arXiv category, topics in brackets."""

    published: str | None = None
    venue: str | None = None
    tags: list[str] = field(default_factory=list)


_LEAD_PART = re.compile(
    r"\s*(?:(?P<date>" + _DATE_TEXT + r")|(?P<category>[\[(]?[a-z]{2,8}(?:-[a-z]{2,5})?\.[A-Z]{2}[\])]?)(?![\w.])"
    r"|\[(?P<square>[^\[\]]{1,20})\]|【(?P<cjk>[^【】]{1,20})】)" + _SEP
)


def read_lead(text: str) -> Lead | None:
    """`2025-01-02 [cs.CL]`, `【量化】`, `【推理】2025-01-02` → its date, venue and topics (tags); None when the
    text says anything else (a sentence before a link is not a lead). An arXiv category is dropped: fetching
    the paper gives it."""
    out, pos = Lead(), 0
    while pos < len(text) and text[pos:].strip(_SEPARATORS + "-—:："):
        m = _LEAD_PART.match(text, pos)
        if m is None or m.end() == pos:
            return None
        pos = m.end()
        inner = (m.group("square") or m.group("cjk") or "").strip()
        if m.group("date"):
            out.published = out.published or as_date(m.group("date"))
        elif inner and _VENUE.fullmatch(inner):
            out.venue = out.venue or inner
        elif inner and as_date(inner):
            out.published = out.published or as_date(inner)
        elif inner and _WORDY.search(inner) and not _SENTENCE.search(inner):
            out.tags.append(inner)
        elif inner:
            return None
    return out


@dataclass
class Described:
    affiliation: str | None = None
    venue: str | None = None
    published: str | None = None
    remarks: list[str] = field(default_factory=list)


def describe(text: str, *, team: bool) -> Described:
    """A short cell or the words after a paper's link, read by what each part is: a venue (`ASPLOS26`), a
    date, remarks (`未开源`, `(last update …)`) and the organisations left — trusted as such when `team`
    (the column or place says so), otherwise only when every part names one."""
    text = _LABEL.sub("", text)
    if len(text) > SHORT:
        return Described(remarks=[text.strip()])
    said = _describe_short(text, team)
    return Described(said.affiliation, said.venue, said.published, list(said.remarks))


@lru_cache(maxsize=CELL_MEMO)
def _describe_short(text: str, team: bool) -> Described:
    """describe() of a text of at most SHORT characters; remembered, so callers get a copy."""
    out = Described()

    def remark(m: re.Match[str]) -> str:
        inner = m.group(0)
        if _VENUE.search(inner) and not _trim(_VENUE.sub(" ", inner[1:-1])):
            return " "  # `(NeurIPS 2025, Oral)`: just the venue
        if _VENUE.search(inner) or _REMARK.search(inner):
            out.remarks.append(inner)
            return " "
        return inner

    venue = _VENUE.search(text)
    if venue:
        out.venue = venue.group(0).strip(" ,，")
    text = _PARENS.sub(remark, text)
    text = _VENUE.sub(" ", text)
    date = _DATE_TEXT_RE.search(text)
    if date:
        out.published = as_date(date.group(0))
        text = text[: date.start()] + " " + text[date.end() :]
    for pattern in (_REMARK, _NUMBERS):
        for m in pattern.finditer(text):
            out.remarks.append(m.group(0))
        text = pattern.sub(" ", text)
    rest = _trim(_REPEATED_MARKS.sub(r"\1", _SPACES.sub(" ", text)))
    # where a team is expected, any name is one — but not a phrase about the work (`稀疏加速 基于Flash-LLM。`)
    if len(rest) > 1 and (_all_orgs(rest) or (team and _WORDY.search(rest) and not _about_the_work(rest))):
        out.affiliation = rest
    elif rest:
        out.remarks.append(rest)
    out.remarks = [r for r in map(_trim, out.remarks) if r]
    return out


def _about_the_work(text: str) -> bool:
    """A phrase or sentence (`基于Flash-LLM。`, `稀疏加速，开源`) rather than a name, unless it names an org."""
    return not is_org(text) and bool(_PROSE.search(text) or _CJK_CLAUSE.search(text))


def _trim(text: str) -> str:
    """Separators off both ends, and a bracket left without its partner."""
    abbreviated = _ABBREVIATED.search(text.rstrip())
    text = text.strip(_SEPARATORS) + ("." if abbreviated else "")
    for left, right in ("()", "（）"):
        if text.startswith(left) and right not in text:
            text = text[1:].strip(_SEPARATORS)
        if text.endswith(right) and left not in text:
            text = text[:-1].strip(_SEPARATORS)
    return text if _WORDY.search(text) else ""


def _plain(cell: Line) -> str:
    """The cell's own words: link texts and URLs removed (they are items, not descriptions)."""
    pieces, at = [], 0  # joined once: a cell of thousands of links stays linear
    for link in sorted(cell.links, key=lambda lk: lk.start):
        if at <= link.start <= link.end <= len(cell.text):
            pieces.append(cell.text[at : link.start])
            at = link.end
    text = " ".join(pieces + [cell.text[at:]])
    return _SPACES.sub(" ", BARE_URL.sub(" ", text)).strip(" ,，。:：;；-—|")


def row_fields(block: Block, link_col: int) -> RowFields:
    """What the row's other cells say about its items, each cell read by what its text is; the column's
    header only decides between readings the text allows (a short name under 团队 is a team)."""
    header, cells = block.header, block.cells
    roles = roles_of(tuple(header))
    fields = RowFields()
    team: str | None = None
    for i, cell in enumerate(cells):
        if i == link_col:
            continue
        text = cell.text.strip()
        plain = _plain(cell) if cell.links else text
        if not plain or plain.upper() in ("NA", "N/A", "-", "无", "TBD"):
            continue
        lead = read_lead(plain)
        date = as_date(plain) or (lead.published if lead else None)
        if date:  # `2024/12/06`, `【推理】2025-01-02`: a date, and the topic before it a tag
            fields.published = fields.published or date
            fields.tags += lead.tags if lead else []
            continue
        if plain.isdigit() and (i == roles["index"] or i == 0):
            continue
        if is_description(plain):
            fields.note_parts.append(plain[:4000])  # a description, whichever column it is in
            continue
        if i == roles["author"] and not _all_orgs(plain):
            fields.authors = fields.authors or [
                {"name": n.strip()} for n in re.split(r"[,，、;；]", plain) if n.strip()
            ]
            continue
        if i == roles["category"] and not cell.links and not _all_orgs(plain) and not _VENUE.search(plain):
            fields.tags.append(plain)
            continue
        in_team = i == roles["team"]
        if not (in_team or _VENUE.search(plain) or _all_orgs(plain)):
            if i in (roles["note"], roles["link"]) or i >= len(header) or len(plain) > 20:
                fields.note_parts.append(plain)  # a short description (a team would have been found above)
            continue
        found = describe(plain, team=in_team)
        if in_team and found.affiliation:
            team = team or found.affiliation  # the team column's name wins over a name found elsewhere
        fields.affiliation = fields.affiliation or found.affiliation
        fields.venue = fields.venue or found.venue
        fields.published = fields.published or found.published
        if found.remarks:
            fields.note_parts.append(" ".join(found.remarks))
    fields.affiliation = team or fields.affiliation
    return fields
