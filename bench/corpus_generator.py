"""A seeded, deterministic scale corpus of policy documents — for speed only.

The generator recombines the *structure* of the genre (实施意见, 行动计划,
推进计划, 实施方案 from prefecture cities and provinces) into as many documents
as a benchmark needs:

- a title with a 文号 (``…政发〔2022〕15号``) and header lines (发文单位 / 文号 / 发布日期);
- a preamble that cites national and provincial documents as ``《title》（文号）``;
- ``一、`` / ``（一）`` / ``1.`` task hierarchies with inline
  ``（责任单位：…）`` and ``（牵头单位：…；配合单位：…）`` clauses;
- department section headings (``市科技局：``) over numbered tasks;
- a flattened task table with a 责任单位 column (first unit leads);
- quantified targets (``到2025年，全市…达到N件``), ranges and growth rates;
- citations of earlier generated documents by title and 文号 (preferentially
  a few "hub" documents), so citation chains exist;
- a little page chrome and a duplicated paragraph, as in scraped pages.

Regions are real province and prefecture-city names (public administrative
division data); departments are the generic names every city uses; topics,
indicators and task phrases are composed from small vocabularies written for
the genre.  Nothing is learnt from, or copied out of, the sample corpus or the
gold annotations.  Document ``i`` depends only on ``(seed, i)``, so a corpus of
N documents is a prefix of a corpus of 10·N documents.

The output is for throughput and memory measurements only — never for quality
figures: its "facts" are whatever the templates produce.

Usage::

    python -m bench.corpus_generator --docs 200 --out var/bench/corpus --seed 42
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PROVINCES", "GeneratedDocument", "generate_corpus", "generate_document"]

#: province -> (abbreviation used in 文号, prefecture cities); public administrative data
PROVINCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "河北省": ("冀", ("石家庄市", "唐山市", "保定市", "邯郸市", "沧州市", "廊坊市")),
    "山西省": ("晋", ("太原市", "大同市", "长治市", "晋中市", "运城市")),
    "辽宁省": ("辽", ("沈阳市", "鞍山市", "抚顺市", "锦州市", "营口市", "盘锦市")),
    "吉林省": ("吉", ("长春市", "吉林市", "四平市", "通化市", "白山市")),
    "黑龙江省": ("黑", ("哈尔滨市", "齐齐哈尔市", "牡丹江市", "佳木斯市", "大庆市")),
    "江苏省": ("苏", ("南京市", "无锡市", "徐州市", "常州市", "苏州市", "南通市", "扬州市")),
    "浙江省": ("浙", ("杭州市", "宁波市", "嘉兴市", "湖州市", "绍兴市", "金华市", "台州市")),
    "安徽省": ("皖", ("合肥市", "芜湖市", "蚌埠市", "马鞍山市", "安庆市", "滁州市")),
    "福建省": ("闽", ("福州市", "厦门市", "莆田市", "泉州市", "漳州市", "龙岩市")),
    "江西省": ("赣", ("南昌市", "景德镇市", "九江市", "赣州市", "上饶市")),
    "山东省": ("鲁", ("济南市", "青岛市", "淄博市", "烟台市", "潍坊市", "济宁市", "临沂市")),
    "河南省": ("豫", ("郑州市", "开封市", "洛阳市", "新乡市", "许昌市", "南阳市")),
    "湖北省": ("鄂", ("武汉市", "黄石市", "十堰市", "宜昌市", "襄阳市", "荆州市")),
    "湖南省": ("湘", ("长沙市", "株洲市", "湘潭市", "衡阳市", "岳阳市", "常德市")),
    "广东省": ("粤", ("广州市", "深圳市", "珠海市", "汕头市", "佛山市", "东莞市", "中山市")),
    "海南省": ("琼", ("海口市", "三亚市", "儋州市")),
    "四川省": ("川", ("成都市", "自贡市", "绵阳市", "德阳市", "宜宾市", "南充市")),
    "贵州省": ("黔", ("贵阳市", "遵义市", "六盘水市", "安顺市")),
    "云南省": ("滇", ("昆明市", "曲靖市", "玉溪市", "保山市", "丽江市")),
    "陕西省": ("陕", ("西安市", "宝鸡市", "咸阳市", "渭南市", "汉中市", "榆林市")),
    "甘肃省": ("甘", ("兰州市", "天水市", "酒泉市", "张掖市")),
    "青海省": ("青", ("西宁市", "海东市")),
}

#: generic department names (the same in every prefecture city)
DEPARTMENTS: tuple[str, ...] = (
    "市发展改革委", "市科技局", "市工业和信息化局", "市财政局", "市教育局",
    "市人力资源社会保障局", "市商务局", "市市场监管局", "市司法局", "市公安局",
    "市农业农村局", "市文化广电旅游局", "市自然资源和规划局", "市生态环境局",
    "市住房城乡建设局", "市交通运输局", "市卫生健康委", "市统计局", "市国资委",
    "市地方金融监管局", "市税务局", "市中级人民法院", "市人民检察院", "市政务服务管理局",
    "市大数据局", "市应急管理局", "市水利局", "市林业局", "市民政局", "市审计局",
    "市知识产权局", "市外办", "市委宣传部", "市委组织部", "市总工会", "团市委",
    "市科协", "市工商联", "海关", "人民银行市中心支行",
)

#: (topic as used in titles, short field name for tasks and indicators)
TOPICS: tuple[tuple[str, str], ...] = (
    ("知识产权强市建设", "知识产权"),
    ("科技创新能力提升", "科技创新"),
    ("数字经济高质量发展", "数字经济"),
    ("优化营商环境", "营商环境"),
    ("先进制造业集群培育", "先进制造业"),
    ("生态环境保护", "生态环境"),
    ("现代服务业发展", "现代服务业"),
    ("人才引进培养", "人才工作"),
    ("中小企业专精特新发展", "中小企业"),
    ("质量强市建设", "质量品牌"),
    ("对外开放合作", "对外开放"),
    ("乡村振兴", "乡村振兴"),
)

GENRES: tuple[str, ...] = ("实施意见", "行动计划", "推进计划", "实施方案", "若干措施")
ISSUERS: tuple[str, ...] = ("人民政府", "人民政府办公室", "人民政府办公厅")
NATIONAL_ISSUERS: tuple[tuple[str, str], ...] = (
    ("国务院", "国发"), ("国务院办公厅", "国办发"), ("中共中央办公厅", "中办发"),
)
VERBS: tuple[str, ...] = ("加快", "推进", "深化", "全面加强", "进一步促进", "高标准推动")

# task phrases are composed: action + object + purpose
ACTIONS: tuple[str, ...] = (
    "健全", "完善", "建设", "培育", "实施", "强化", "推动", "支持", "组织开展", "探索建立",
    "落实", "优化", "加大", "开展", "构建",
)
OBJECTS: tuple[str, ...] = (
    "{f}公共服务平台", "{f}统计监测制度", "{f}重点企业库", "{f}人才队伍", "{f}专项资金管理办法",
    "{f}示范园区", "{f}协同推进机制", "{f}信用评价体系", "{f}运营中心", "{f}考核评价制度",
    "{f}金融服务体系", "{f}区域合作机制", "{f}宣传培训活动", "{f}标准体系", "{f}应用场景清单",
)
PURPOSES: tuple[str, ...] = (
    "提升服务效能", "形成一批可复制推广的经验", "加强部门协同", "营造良好发展环境",
    "推动政策落地见效", "提高资源配置效率", "增强企业获得感", "夯实工作基础",
)
SECTION_TITLES: tuple[str, ...] = (
    "夯实{f}发展基础", "提升{f}创造质量", "促进{f}转化运用", "强化{f}保护体系",
    "优化{f}服务供给", "推动{f}开放合作", "加强{f}人才支撑", "深化{f}体制改革",
)
SAFEGUARDS: tuple[str, ...] = ("加强组织领导", "强化资金保障", "健全考核评价", "营造良好氛围")

#: indicator templates: (phrase, unit, integer range) — composed with the field name
INDICATORS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("{f}示范企业", "家", (20, 400)),
    ("{f}重点项目", "个", (10, 200)),
    ("{f}公共服务网点", "个", (5, 80)),
    ("{f}领域高层次人才", "人", (100, 5000)),
    ("{f}相关专利授权量", "件", (1000, 50000)),
    ("{f}产业规模", "亿元", (50, 3000)),
    ("{f}培训人次", "人次", (1000, 30000)),
    ("{f}专项资金", "万元", (500, 20000)),
)
PERCENT_INDICATORS: tuple[str, ...] = (
    "{f}事项网上办理率", "{f}企业覆盖率", "{f}案件按期办结率", "{f}政策知晓率",
)
CHROME: tuple[str, ...] = (
    "返回首页", "打印本页", "关闭窗口", "分享到：", "【字体：大 中 小】",
    "当前位置：首页 > 政策文件",
)
NUMERALS = "一二三四五六七八九十"


def _cn(n: int) -> str:
    """1..99 as a Chinese numeral (一, 十二, 二十三)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else NUMERALS[tens - 1]
    return head + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True, slots=True)
class GeneratedDocument:
    """One generated document: its file name, text and the identity others cite it by."""

    name: str
    text: str
    title: str
    doc_number: str


@dataclass(frozen=True, slots=True)
class _Identity:
    province: str
    province_abbr: str
    city: str
    title: str
    doc_number: str
    year: int
    field: str
    issuer: str


def _identity(seed: int, i: int) -> _Identity:
    """Region, title and 文号 of document ``i`` (cheap, so later documents can cite it)."""
    rnd = random.Random(f"{seed}:{i}:id")
    province = rnd.choice(list(PROVINCES))
    abbr, cities = PROVINCES[province]
    city = rnd.choice(cities)
    topic, field = rnd.choice(TOPICS)
    genre = rnd.choice(GENRES)
    year = rnd.randint(2016, 2024)
    issuer = rnd.choice(ISSUERS)
    if genre in {"行动计划", "推进计划"}:
        span = f"（{year}—{year + 2}年）"
        title = f"{city}{topic}{genre}{span}"
    else:
        title = f"{city}{issuer}关于{rnd.choice(VERBS)}{topic}的{genre}"
    office = "政办发" if issuer != "人民政府" else "政发"
    doc_number = f"{city[0]}{office}〔{year}〕{rnd.randint(1, 180)}号"
    return _Identity(province, abbr, city, title, doc_number, year, field, f"{city}{issuer}")


def _units(rnd: random.Random, k: int) -> list[str]:
    return rnd.sample(DEPARTMENTS, k)


def _task(rnd: random.Random, field: str) -> str:
    obj = rnd.choice(OBJECTS).format(f=field)
    return f"{rnd.choice(ACTIONS)}{obj}，{rnd.choice(PURPOSES)}"


def _clause(rnd: random.Random) -> str:
    if rnd.random() < 0.55:
        sep = rnd.choice(("、", "，"))
        colon = rnd.choice(("：", ":"))
        return f"（责任单位{colon}{sep.join(_units(rnd, rnd.randint(1, 4)))}）"
    lead, *support = _units(rnd, rnd.randint(2, 5))
    return f"（牵头单位：{lead}；配合单位：{'、'.join(support)}）"


def _target(rnd: random.Random, field: str) -> str:
    if rnd.random() < 0.3:
        metric = rnd.choice(PERCENT_INDICATORS).format(f=field)
        lo = rnd.randint(60, 95)
        if rnd.random() < 0.4:
            return f"{metric}保持在{lo}%—{min(lo + 4, 100)}%"
        return f"{metric}达到{lo}%以上"
    phrase, unit, (a, b) = rnd.choice(INDICATORS)
    metric = phrase.format(f=field)
    value = rnd.randint(a, b)
    form = rnd.random()
    if form < 0.5:
        return f"{metric}达到{value}{unit}"
    if form < 0.75:
        return f"{metric}突破{value}{unit}"
    return f"{metric}年均增长{rnd.randint(5, 25)}%"


def _citation(rnd: random.Random, ident: _Identity) -> str:
    if rnd.random() < 0.5:
        name, prefix = rnd.choice(NATIONAL_ISSUERS)
        topic, _ = rnd.choice(TOPICS)
        y = rnd.randint(2012, ident.year)
        number = f"{prefix}〔{y}〕{rnd.randint(1, 90)}号"
        return f"《{name}关于{rnd.choice(VERBS)}{topic}的意见》（{number}）"
    topic, _ = rnd.choice(TOPICS)
    y = rnd.randint(2012, ident.year)
    return (
        f"《{ident.province}人民政府关于印发{ident.province}{topic}规划的通知》"
        f"（{ident.province_abbr}政发〔{y}〕{rnd.randint(1, 120)}号）"
    )


def _cited_earlier(rnd: random.Random, seed: int, i: int) -> list[_Identity]:
    """Earlier generated documents this one cites; a few hubs collect most citations."""
    if i == 0:
        return []
    chosen: list[int] = []
    for _ in range(rnd.randint(0, 3)):
        # 60 % from the first 20 documents (hubs), the rest uniformly among all earlier ones
        j = rnd.randrange(min(i, 20)) if rnd.random() < 0.6 else rnd.randrange(i)
        if j not in chosen:
            chosen.append(j)
    return [_identity(seed, j) for j in chosen]


def generate_document(i: int, seed: int = 42) -> GeneratedDocument:
    """Generate document ``i`` of the corpus seeded with ``seed`` (deterministic)."""
    ident = _identity(seed, i)
    rnd = random.Random(f"{seed}:{i}:body")
    f = ident.field
    lines: list[str] = []
    add = lines.append
    if rnd.random() < 0.5:
        add("  ".join(rnd.sample(CHROME, 3)))
    month, day = rnd.randint(1, 12), rnd.randint(1, 28)
    issuer = ident.issuer
    add(f"发文单位：{issuer}")
    add(f"文号：{ident.doc_number}")
    add(f"发布日期：{ident.year}-{month}-{day}")
    add("")
    add(ident.title)
    add(ident.doc_number)
    add("")
    add("各县（市、区）人民政府，市政府各部门，各直属机构：")
    basis = [_citation(rnd, ident) for _ in range(rnd.randint(1, 3))]
    basis += [f"《{c.title}》（{c.doc_number}）" for c in _cited_earlier(rnd, seed, i)]
    add(
        f"为深入贯彻落实{'和'.join(basis)}精神，{rnd.choice(VERBS)}我市{f}工作，"
        f"结合我市实际，制定本{ident.title[-4:] if '（' not in ident.title else '计划'}。"
    )
    add("")
    end = ident.year + rnd.randint(2, 5)
    add("一、总体要求")
    add("（一）指导思想")
    add(f"坚持新发展理念，以{f}高质量发展为主线，{rnd.choice(PURPOSES)}，{rnd.choice(PURPOSES)}。")
    add("（二）主要目标")
    targets = "；".join(_target(rnd, f) for _ in range(rnd.randint(3, 6)))
    add(f"到{end}年，全市{targets}。")
    if rnd.random() < 0.5:
        add(f"到{end + 5}年，{_target(rnd, f)}，{f}综合实力位居全省前列。")
    add("")
    sections = rnd.sample(SECTION_TITLES, rnd.randint(3, 5))
    for s, title in enumerate(sections, start=2):
        add(f"{_cn(s)}、{title.format(f=f)}")
        for sub in range(1, rnd.randint(2, 4) + 1):
            add(f"（{_cn(sub)}）{rnd.choice(SECTION_TITLES).format(f=f)}。{_task(rnd, f)}。")
            for n in range(1, rnd.randint(1, 4) + 1):
                tail = ""
                if rnd.random() < 0.25:
                    tail = f"到{end}年，{_target(rnd, f)}。"
                add(f"{n}. {_task(rnd, f)}。{tail}{_clause(rnd)}")
        add("")
    if rnd.random() < 0.5:
        # department section headings over numbered tasks
        add(f"{_cn(len(sections) + 2)}、部门职责分工")
        for dept in _units(rnd, rnd.randint(2, 4)):
            add(f"{dept}：")
            for n in range(1, rnd.randint(2, 3) + 1):
                add(f"{n}.{_task(rnd, f)}。")
        add("")
    add(f"{_cn(len(sections) + 3)}、保障措施")
    for sub, title in enumerate(rnd.sample(SAFEGUARDS, 2), start=1):
        add(f"（{_cn(sub)}）{title}。各地各部门要{rnd.choice(PURPOSES)}，确保各项任务落到实处。")
    dup = lines[-1]
    if rnd.random() < 0.3:
        add(dup)  # scraped pages repeat paragraphs
    add("")
    add(issuer)
    add(f"{ident.year}年{month}月{day}日")
    if rnd.random() < 0.6:
        add("")
        add(f"附件：{f}重点任务分工表（列第一位为牵头单位）")
        add("序号\t重点任务\t责任单位\t完成时限")
        for n in range(1, rnd.randint(3, 8) + 1):
            units = "、".join(_units(rnd, rnd.randint(1, 3)))
            add(f"{n}\t{_task(rnd, f)}\t{units}\t{end}年底前")
    if rnd.random() < 0.5:
        add("  ".join(rnd.sample(CHROME, 2)))
    return GeneratedDocument(
        name=f"gen_{i:06d}.txt",
        text="\n".join(lines) + "\n",
        title=ident.title,
        doc_number=ident.doc_number,
    )


def generate_corpus(out: Path, docs: int, seed: int = 42, start: int = 0) -> list[Path]:
    """Write documents ``start .. start+docs-1`` as UTF-8 files under ``out``.

    Parameters
    ----------
    out : Path
        Directory to write to (created if missing).
    docs : int
        Number of documents.
    seed : int
        Seed of the corpus; the same (seed, index) always gives the same document.
    start : int
        Index of the first document.

    Returns
    -------
    list of Path
        The files written, in index order.
    """
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + docs):
        doc = generate_document(i, seed)
        path = out / doc.name
        path.write_text(doc.text, encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m bench.corpus_generator --docs N --out DIR --seed S``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, required=True, help="number of documents")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--seed", type=int, default=42, help="corpus seed (default 42)")
    parser.add_argument("--start", type=int, default=0, help="index of the first document")
    args = parser.parse_args(argv)
    paths = generate_corpus(args.out, args.docs, args.seed, args.start)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} documents, {size / 1e6:.2f} MB, to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
