"""People sort as a Kazakh, Russian or English reader expects, on any database (SLT-4, X-8)."""

import pytest
from django.utils import translation

from access.models import User
from college.collation import by_name, sort_key
from tests import factories as f

pytestmark = pytest.mark.req("SLT-4", "X-8")  # people in the reader's alphabet (#14.8)


KAZAKH_ORDER = ["Ахметов", "Әлиев", "Қасымов", "Іскаков", "Яковлев"]


def _sorted(names, language):
    return sorted(names, key=lambda name: sort_key(name, language))


def test_kazakh_letters_sort_inside_the_kazakh_alphabet():
    assert _sorted(["Яковлев", "Іскаков", "Қасымов", "Әлиев", "Ахметов"], "kk") == KAZAKH_ORDER


def test_every_letter_of_the_kazakh_alphabet_in_its_place():
    alphabet = list("АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯ")
    assert _sorted(list(reversed(alphabet)), "kk") == alphabet
    words = [letter + "а" for letter in alphabet]  # and as the first letter of a word
    assert _sorted(sorted(words), "kk") == words


def test_russian_reader_sees_kazakh_letters_after_their_base_letter():
    names = ["Яковлев", "Іскаков", "Қасымов", "Әлиев", "Ахметов", "Иванов", "Йоргин", "Кузнецов"]
    assert _sorted(names, "ru") == [
        "Ахметов",
        "Әлиев",
        "Иванов",
        "Іскаков",
        "Йоргин",
        "Кузнецов",
        "Қасымов",
        "Яковлев",
    ]


def test_russian_yo_sorts_as_ye_then_after_it():
    assert _sorted(["Алеся", "Алёна", "Алена"], "ru") == ["Алена", "Алёна", "Алеся"]
    assert _sorted(["Алеся", "Алёна", "Алена"], "kk") == ["Алена", "Алеся", "Алёна"]


def test_english_reader_sees_latin_first_and_accents_as_their_letter():
    names = ["Әлиев", "Ахметов", "Zed", "Émile", "Eva", "Smith"]
    assert _sorted(names, "en") == ["Émile", "Eva", "Smith", "Zed", "Ахметов", "Әлиев"]
    assert _sorted(names, "kk") == ["Ахметов", "Әлиев", "Émile", "Eva", "Smith", "Zed"]


def test_case_is_a_tie_break_and_separators_come_first():
    assert _sorted(["ахметов", "Ахметов", "Ахмет-Али", "Ахмет Али"], "kk") == [
        "Ахмет Али",
        "Ахмет-Али",
        "ахметов",
        "Ахметов",
    ]


@pytest.mark.django_db
@pytest.mark.req("SLT-4", "X-8")
def test_by_name_orders_whatever_order_the_database_gives_in_the_active_language():
    for last_name in reversed(KAZAKH_ORDER):
        f.UserFactory(last_name=last_name, first_name="Ali", patronymic="")
    for order in ("last_name", "-last_name"):
        users = list(User.objects.filter(last_name__in=KAZAKH_ORDER).order_by(order))
        with translation.override("kk"):
            assert [u.last_name for u in by_name(users, user=lambda u: u)] == KAZAKH_ORDER
        with translation.override("ru"):
            assert [u.last_name for u in by_name(users, user=lambda u: u)] == [
                "Ахметов",
                "Әлиев",
                "Іскаков",
                "Қасымов",
                "Яковлев",
            ]


@pytest.mark.django_db
def test_surname_then_name_then_patronymic():
    people = [
        f.UserFactory(last_name="Әлиев", first_name="Ғалым", patronymic=""),
        f.UserFactory(last_name="Әлиев", first_name="Асан", patronymic="Құрманұлы"),
        f.UserFactory(last_name="Әлиев", first_name="Асан", patronymic="Бекұлы"),
        f.UserFactory(last_name="Әли", first_name="Яна", patronymic=""),
    ]
    with translation.override("kk"):
        ordered = by_name(reversed(people), user=lambda u: u)
    assert [u.full_name for u in ordered] == [
        "Әли Яна",
        "Әлиев Асан Бекұлы",
        "Әлиев Асан Құрманұлы",
        "Әлиев Ғалым",
    ]
