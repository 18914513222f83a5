"""The parsed-TOML cache: the shipped TOML files read as tomllib reads them, the cache used while it
matches the file's content and never after it changed, and any trouble with it only costs a parse."""
from __future__ import annotations

import os
import shutil
import tomllib

import pytest

from indicators import toml_cache
from indicators.catalogue import AREAS_PATH, CATALOGUE_PATH, CatalogueError, load_catalogue
from indicators.wording import MESSAGES
from tests.conftest import REPO

SHIPPED = (CATALOGUE_PATH, AREAS_PATH, MESSAGES, REPO / "bot" / "asking" / "vocabulary.toml")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_file_reads_as_tomllib_reads_it_first_and_from_the_cache(path, tmp_path):
    expected = tomllib.loads(path.read_text(encoding="utf-8"))
    assert toml_cache.load(path, folder=tmp_path) == expected
    assert toml_cache.cache_path(path, tmp_path).is_file()
    assert toml_cache.load(path, folder=tmp_path) == expected


def test_a_cache_made_from_the_same_content_is_used_without_parsing(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("this is [not toml", encoding="utf-8")
    toml_cache.store(toml_cache.cache_path(path), toml_cache.key_of(path.read_bytes()), {"from": "cache"})
    assert toml_cache.load(path) == {"from": "cache"}


def test_an_edited_catalogue_is_seen_at_once_even_with_its_old_size_and_time(tmp_path):
    copy = tmp_path / "catalogue.toml"
    shutil.copyfile(CATALOGUE_PATH, copy)
    assert load_catalogue(copy).indicators["ledige"].name == "ledige"
    assert toml_cache.cache_path(copy).is_file()
    before = copy.stat()
    text = copy.read_text(encoding="utf-8")
    assert 'name = "ledige"' in text
    copy.write_text(text.replace('name = "ledige"', 'name = "ledigt"', 1), encoding="utf-8")
    os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))  # as a copy that keeps times might
    assert copy.stat().st_size == before.st_size
    assert load_catalogue(copy).indicators["ledige"].name == "ledigt"


def test_a_damaged_cache_is_parsed_past_and_replaced(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text('answer = 42\n[table]\nwords = ["maj", "juni"]\n', encoding="utf-8")
    toml_cache.cache_path(path).parent.mkdir()
    for damage in (b"", b"\x00garbage", b"\xe3"):
        toml_cache.cache_path(path).write_bytes(damage)
        assert toml_cache.load(path) == {"answer": 42, "table": {"words": ["maj", "juni"]}}
    assert toml_cache.load(path) == {"answer": 42, "table": {"words": ["maj", "juni"]}}


def test_a_folder_that_cannot_be_written_only_costs_a_parse(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text("answer = 42\n", encoding="utf-8")
    (tmp_path / "a-file").write_text("", encoding="utf-8")
    unwritable = tmp_path / "a-file" / "cache"  # under a regular file: mkdir fails as on a read-only disk
    assert toml_cache.load(path, folder=unwritable) == {"answer": 42}
    assert toml_cache.load(path, folder=unwritable) == {"answer": 42}
    assert not unwritable.exists()


def test_each_load_gives_its_own_tables(tmp_path):
    path = tmp_path / "small.toml"
    path.write_text('words = ["maj"]\n', encoding="utf-8")
    toml_cache.load(path)["words"].append("juni")
    assert toml_cache.load(path) == {"words": ["maj"]}


def test_a_malformed_catalogue_is_still_a_catalogue_error_and_never_cached(tmp_path):
    copy = tmp_path / "catalogue.toml"
    copy.write_text("[indicator.ledige\n", encoding="utf-8")
    with pytest.raises(CatalogueError):
        load_catalogue(copy)
    assert not toml_cache.cache_path(copy).exists()
