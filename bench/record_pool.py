"""A pool of realistic Chinese record texts, encrypted and tokenised once, that the benchmarks copy
into millions of records with SQL (search_bench.py, analysis_bench.py). Each pool text has its
own data key, so every copied record decrypts like one the application wrote."""

import random
import time

RARE_NAME = "欧阳震华"
COMMON_WORD = "走访"
ABSENT_WORD = "潜水艇"
CONTEXT = "intel.InformationRecord.content"
RARE_EVERY = 49_999

PLACES = ["网吧", "出租屋", "火车站", "汽车站", "菜市场", "KTV", "足浴店", "小区门口", "工地",
          "宾馆", "棋牌室", "城中村", "物流园", "夜市", "学校附近", "江边公园"]  # fmt: skip
ACTS = ["与两名男子交谈", "独自上网至凌晨", "驾驶电动车离开", "在门口抽烟", "打电话约人见面",
        "购买大量日用品", "与房东发生争执", "领取快递包裹", "向路人借钱", "在此处停留约一小时",
        "情绪稳定，表示按时报到", "称近期在外打工", "家属反映其夜不归宿"]  # fmt: skip
OPENERS = ["今日走访，", "民警走访时发现", "据社区网格员反映，", "视频巡查发现", "群众举报称",
           "经电话核实，", "巡逻中发现", "据其家属称，"]  # fmt: skip
TIMES = ["上午九点", "中午", "下午三点左右", "傍晚", "晚上十点", "凌晨一点", "周末", "昨日"]


def pool_texts(size: int) -> list[str]:
    """``size`` record texts: text 0 names the rare person, the others are built from openers,
    names, times, places and acts (about a third open with the common word)."""
    from faker import Faker

    rng = random.Random(13)
    fake = Faker("zh_CN")
    fake.seed_instance(13)
    names = [n for n in (fake.name() for _ in range(size * 2)) if RARE_NAME not in n]
    texts = [f"今日走访，{RARE_NAME}在{PLACES[0]}{ACTS[0]}，已登记。"]
    while len(texts) < size:
        parts = [
            rng.choice(OPENERS),
            rng.choice(names),
            rng.choice(TIMES),
            "在",
            fake.street_name(),
            rng.choice(PLACES),
            rng.choice(ACTS),
            "。",
        ]
        if rng.random() < 0.5:
            parts += [rng.choice(["同行人员", "另有"]), rng.choice(names), rng.choice(ACTS), "。"]
        if rng.random() < 0.3:
            parts.append("\n已告知其遵守相关规定，后续继续关注。")
        texts.append("".join(parts))
    return texts


def build_pool(size: int) -> int:
    """Encrypt and tokenise the pool into the table ``bench_pool(n, data_key_id, content,
    tokens)``; returns its size. Reused when it already has ``size`` rows."""
    from django.db import connection

    from casebook.crypto.services import data_key_create, encrypt_value
    from casebook.crypto.textindex import text_tokens

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_pool (n int PRIMARY KEY, data_key_id bigint, "
            "content text, tokens tsvector)"
        )
        cursor.execute("SELECT count(*) FROM bench_pool")
        if cursor.fetchone()[0] == size:
            return size
        cursor.execute("TRUNCATE bench_pool")
    start = time.perf_counter()
    rows = []
    for n, text in enumerate(pool_texts(size)):
        key = data_key_create(label=f"bench-search:{n}")
        rows.append(
            (n, key.pk, encrypt_value(key, text, context=CONTEXT), text_tokens(text).as_tsvector())
        )
    with connection.cursor() as cursor:
        cursor.executemany("INSERT INTO bench_pool VALUES (%s, %s, %s, %s::tsvector)", rows)
    print(f"pool of {size} encrypted texts in {time.perf_counter() - start:.1f} s", flush=True)
    return size
