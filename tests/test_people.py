"""Several people in one home: each has their own folder; with no name, the only one is meant."""

import stat

import pytest

from voiceguide import journal, paths, profile
from voiceguide.errors import UsageProblem


def test_no_one_yet_means_the_default_person_at_the_top(voiceguide_home):
    assert paths.people() == []
    assert paths.resolve_person(None) == paths.DEFAULT_PERSON
    assert paths.profile_path() == voiceguide_home / "profile.toml"
    assert paths.journal_path() == voiceguide_home / "journal.sqlite3"


def test_a_named_person_gets_an_owner_only_folder(voiceguide_home):
    folder = paths.person_dir("Alice")
    assert folder == voiceguide_home / "people" / "alice"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    profile.save(profile.Profile(stage="chronic"), person="alice")
    assert stat.S_IMODE((folder / "profile.toml").stat().st_mode) == 0o600
    # the only person here is meant when no name is given
    assert paths.people() == ["alice"]
    assert profile.load().stage == "chronic"


def test_several_people_must_say_who(voiceguide_home):
    profile.save(profile.Profile(stage="acute"))
    profile.save(profile.Profile(stage="chronic"), person="bob")
    assert paths.people() == ["default", "bob"]
    with pytest.raises(UsageProblem, match="default, bob"):
        paths.resolve_person(None)
    assert profile.load("bob").stage == "chronic"
    assert profile.load("default").stage == "acute"
    j = journal.open_journal("bob")
    try:
        assert j.path == voiceguide_home / "people" / "bob" / "journal.sqlite3"
    finally:
        j.close()


@pytest.mark.parametrize("name", ["", "../x", "a b", "x" * 33, "-a"])
def test_bad_person_names_are_refused(name):
    with pytest.raises(UsageProblem):
        paths.resolve_person(name)
