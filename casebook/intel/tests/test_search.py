"""Full-text search over encrypted record content (issue #13 item 3): keyed unigram/bigram tokens
with positions, phrase queries of any length, simplified/traditional and full-width folding, no
plaintext in the database, results scoped exactly like the lists (page and API)."""

import hashlib
import hmac
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from casebook.accounts.services import api_token_create
from casebook.core.choices import Classification
from casebook.crypto.textindex import normalise, query_tokens, text_tokens, units
from casebook.intel import services
from casebook.intel.models import InformationRecord, RecordTokens
from casebook.intel.selectors import SearchPaginator, search_records, visible_records
from casebook.subjects.models import Category
from casebook.subjects.services import subject_create
from casebook.subjects.tests.conftest import make_id
from conftest import login

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=UTC)
SECRET_TEXT = "走访发现刘洋与赵六在城西仓库交易"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _person(org, crew, name, seq, *, station="a", classification=Classification.INTERNAL):
    leader = crew["leader"] if station == "a" else crew["other_leader"]
    officer = crew["officer"] if station == "a" else crew["other_officer"]
    return subject_create(
        actor=leader,
        kind="person",
        category=Category.objects.get(code="drug_involved"),
        name=name,
        station=org[station],
        legal_basis_ref="城公〔2026〕9号",
        approved_by=leader,
        approved_on=date(2026, 1, 5),
        officers=[officer],
        classification=classification,
        detail={"data_subject_category": "suspect", "id_number": make_id(seq=seq)},
    )


@pytest.fixture
def person(org, crew):
    return _person(org, crew, "王吸", "311")


def _record(crew, subject, content, *, actor=None, hours_ago=2):
    return services.record_create(
        actor=actor or crew["officer"],
        subjects=[subject],
        method="collection",
        channel="community_police",
        occurred_at=NOW - timedelta(hours=hours_ago),
        content=content,
        source_evaluation="B",
        info_assessment="2",
    )


def _found(user, text) -> set[int]:
    return set(search_records(visible_records(user), text).values_list("pk", flat=True))


@pytest.mark.django_db
class TestFinding:
    def test_two_character_name(self, crew, person):
        hit = _record(crew, person, "今日走访，刘洋不在家，其母称外出打工")
        _record(crew, person, "刘某与洋某昨日争吵")  # both characters, never adjacent
        assert _found(crew["officer"], "刘洋") == {hit.pk}

    def test_one_character_query_uses_unigrams(self, crew, person):
        hit = _record(crew, person, "其车辆停放在小区门口")
        _record(crew, person, "未见异常")
        assert _found(crew["officer"], "车") == {hit.pk}

    def test_phrase_across_a_line_break_and_punctuation(self, crew, person):
        broken = _record(crew, person, "晚上见到张三\n在家看电视")
        punctuated = _record(crew, person, "见到张三，在家休息")
        assert _found(crew["officer"], "张三在家") == {broken.pk, punctuated.pk}
        assert _found(crew["officer"], "张三 在家") == {broken.pk, punctuated.pk}

    def test_long_phrase_needs_the_exact_order(self, crew, person):
        hit = _record(crew, person, SECRET_TEXT)
        _record(crew, person, "城西仓库发现赵六，刘洋在交易市场")  # same words, other order
        assert _found(crew["officer"], "刘洋与赵六在城西仓库") == {hit.pk}

    def test_traditional_query_finds_simplified_text_and_back(self, crew, person):
        simplified = _record(crew, person, "张三在后门等人")
        traditional = _record(crew, person, "張三從門診離開")
        assert _found(crew["officer"], "張三在後門") == {simplified.pk}
        assert _found(crew["officer"], "张三从门诊离开") == {traditional.pk}

    def test_full_width_digits_and_letters(self, crew, person):
        hit = _record(crew, person, "其驾驶车牌浙Ａ１２３４５的车辆进入ＫＴＶ")
        assert _found(crew["officer"], "浙A12345") == {hit.pk}
        assert _found(crew["officer"], "ktv") == {hit.pk}
        assert _found(crew["officer"], "进入KTV") == {hit.pk}

    def test_absent_word_and_empty_query_find_nothing(self, crew, person):
        _record(crew, person, SECRET_TEXT)
        assert _found(crew["officer"], "飞机场") == set()
        assert _found(crew["officer"], "刘洋在城西仓库") == set()  # words present, no phrase
        assert _found(crew["officer"], "，。！ ") == set()


@pytest.mark.django_db
class TestScope:
    @pytest.fixture
    def hidden(self, org, crew):
        """A confidential subject the analyst is not assigned to (need-to-know)."""
        return _person(org, crew, "李秘", "312", classification=Classification.CONFIDENTIAL)

    @pytest.fixture
    def records(self, org, crew, person, hidden):
        other = _person(org, crew, "乙站人", "313", station="b")
        return {
            "visible": _record(crew, person, "刘洋在网吧上网"),
            "hidden": _record(crew, hidden, "刘洋在网吧门口打电话"),
            "other_station": _record(
                crew, other, "刘洋在乙站辖区网吧出现", actor=crew["other_officer"]
            ),
        }

    def test_page_shows_only_what_the_list_shows(self, crew, records):
        analyst = login(Client(), crew["analyst"])
        body = analyst.get("/records/", {"q": "刘洋"}).content.decode()
        assert "刘洋在网吧上网" in body
        assert "刘洋在网吧门口打电话" not in body
        assert "乙站辖区" not in body
        other = login(Client(), crew["other_officer"])
        body = other.get("/records/", {"q": "网吧上网"}).content.decode()
        assert "刘洋在网吧上网" not in body
        assert f"#{records['visible'].pk} " not in body

    def test_api_returns_only_visible_records(self, crew, records):
        _t, key = api_token_create(actor=crew["analyst"], name="t")
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        data = api.get("/api/v1/records/", {"q": "刘洋"}).json()
        assert [r["id"] for r in data["results"]] == [records["visible"].pk]
        assert data["count"] == 1
        _t, key = api_token_create(actor=crew["other_officer"], name="t")
        api = Client(HTTP_AUTHORIZATION=f"Token {key}")
        data = api.get("/api/v1/records/", {"q": "刘洋"}).json()
        assert [r["id"] for r in data["results"]] == [records["other_station"].pk]

    def test_station_officer_sees_own_hidden_record(self, crew, records):
        # The assigned officer may see the confidential subject: the scope, not the search,
        # decides.
        assert _found(crew["officer"], "刘洋") == {records["visible"].pk, records["hidden"].pk}


@pytest.mark.django_db
class TestAtRest:
    def test_database_holds_no_plaintext(self, crew, person):
        record = _record(crew, person, SECRET_TEXT)
        with connection.cursor() as cursor:
            cursor.execute("SELECT content FROM intel_informationrecord WHERE id = %s", [record.pk])
            (stored,) = cursor.fetchone()
            cursor.execute(
                "SELECT tokens FROM intel_recordtokens WHERE record_id = %s", [record.pk]
            )
            (tokens,) = cursor.fetchone()
        for column in (stored, tokens):
            assert "刘洋" not in column and "仓库" not in column
            assert not any("\u4e00" <= c <= "\u9fff" for c in column)
        assert stored.startswith("cb1:")
        if connection.vendor == "sqlite":  # the FTS5 index's own pages
            with connection.cursor() as cursor:
                cursor.execute("SELECT block FROM intel_record_fts_data")
                blob = b"".join(bytes(row[0]) for row in cursor.fetchall())
            assert "刘洋".encode() not in blob and "仓".encode() not in blob
        # The application still reads the text.
        assert InformationRecord.objects.get(pk=record.pk).content == SECRET_TEXT

    def test_content_cannot_be_filtered_by_plaintext(self, crew, person):
        _record(crew, person, SECRET_TEXT)
        with pytest.raises(ValueError, match="encrypted"):
            list(InformationRecord.objects.filter(content=SECRET_TEXT))

    def test_tokens_are_keyed(self, crew, person):
        def other_key(data: bytes) -> bytes:
            return hmac.new(b"another deployment" * 2, data, hashlib.sha256).digest()

        record = _record(crew, person, SECRET_TEXT)
        ours = text_tokens(SECRET_TEXT)
        theirs = text_tokens(SECRET_TEXT, mac=other_key)
        assert not set(ours.unigrams + ours.bigrams) & set(theirs.unigrams + theirs.bigrams)
        # A query tokenised under another key finds nothing in this index.
        foreign = query_tokens("刘洋", mac=other_key)
        assert query_tokens("刘洋") != foreign
        stored = RecordTokens.objects.get(record=record).tokens
        assert all(token not in stored for token in foreign)
        assert query_tokens("刘洋")[0] in stored

    def test_a_failed_record_writes_no_tokens(self, crew, person):
        with pytest.raises(ValidationError):
            _record(crew, person, "刘洋" * 3000)
        assert not RecordTokens.objects.exists()
        assert not InformationRecord.objects.exists()


@pytest.mark.django_db
def test_search_page_query_budget_does_not_grow(crew, person, django_assert_max_num_queries):
    client = login(Client(), crew["officer"])
    for i in range(3):
        _record(crew, person, f"第{i}次走访刘洋在家", hours_ago=i + 1)
    with django_assert_max_num_queries(40) as few:
        assert client.get("/records/", {"q": "刘洋"}).status_code == 200
    for i in range(20):
        _record(crew, person, f"又一次走访刘洋在家{i}", hours_ago=i + 10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get("/records/", {"q": "刘洋"}).content.decode()
    assert body.count("刘洋在家") == 23


@pytest.mark.django_db
def test_search_count_is_capped(crew, person, monkeypatch):
    for i in range(4):
        _record(crew, person, f"刘洋第{i}次", hours_ago=i + 1)
    monkeypatch.setattr(SearchPaginator, "cap", 2)
    paginator = SearchPaginator(search_records(visible_records(crew["officer"]), "刘洋"), 25)
    assert paginator.count == 2 and paginator.capped
    body = login(Client(), crew["officer"]).get("/records/", {"q": "刘洋"}).content.decode()
    assert 'data-testid="search-capped"' in body


def test_normalisation_and_units():
    assert normalise("Ｈｅｌｌｏ１２３") == "hello123"
    assert normalise("張三從後門") == "张三从后门"
    assert units("張三\n在家，ＫＴＶ唱歌 13812345678") == [
        "张",
        "三",
        "在",
        "家",
        "ktv",
        "唱",
        "歌",
        "13812345678",
    ]
