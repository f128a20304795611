"""The `/share` grammar and the share links: text in, parsed command or URL out."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from bot.commands.grammar import (
    MAX_CAPTION,
    MAX_TEXT,
    MAX_VARIANTS,
    Command,
    parse_draft,
    parse_id,
    parse_networks,
    parse_topics,
    parse_user,
)
from bot.commands.registry import parse
from bot.errors import UserError
from bot.sharing.networks import (
    INSTAGRAM_WEB,
    NETWORKS,
    campaign_link,
    copy_text,
    offered,
    share_target,
)


def error_key(call: Callable[[str], object], text: str) -> str:
    with pytest.raises(UserError) as caught:
        call(text)
    return caught.value.key


# --- parse -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "verb", "rest"),
    [
        ("", "help", ""),
        ("   ", "help", ""),
        ("/share", "help", ""),
        ("/share ", "help", ""),
        ("help", "help", ""),
        ("hilfe", "help", ""),
        ("?", "help", ""),
        ("/share on", "on", ""),
        ("on", "on", ""),
        ("an", "on", ""),
        ("/Share ON", "on", ""),
        ("aus", "off", ""),
        ("/share off", "off", ""),
        ("pause 2w", "pause", "2w"),
        ("/share pause   2027-01-07 ", "pause", "2027-01-07"),
        ("resume", "resume", ""),
        ("weiter", "resume", ""),
        ("topics jobs, events", "topics", "jobs, events"),
        ("themen jobs", "topics", "jobs"),
        ("datenschutz", "privacy", ""),
        ("my-data", "my-data", ""),
        ("vergiss-mich", "forget-me", ""),
        ("cancel 12", "end", "12"),
        ("beenden #12", "end", "#12"),
        ("/sharebot stats 3", "stats", "3"),
        ("share list", "list", ""),
        ("roles grant <@U1|anna> comms", "roles", "grant <@U1|anna> comms"),
    ],
)
def test_parse_finds_the_canonical_verb(text: str, verb: str, rest: str) -> None:
    assert parse(text) == Command(verb=verb, rest=rest)


def test_command_words_split_the_rest() -> None:
    assert parse("/share roles grant @anna hr").words == ["grant", "@anna", "hr"]


@pytest.mark.parametrize("text", ["dance", "/share dance now", "shareholders", "/sharing on"])
def test_unknown_word_is_a_user_error(text: str) -> None:
    assert error_key(parse, text) == "error.unknown_command"


def test_unknown_word_is_named_in_the_error_and_shortened() -> None:
    with pytest.raises(UserError) as caught:
        parse("x" * 100)
    assert caught.value.params == {"word": "x" * 40}


def test_over_long_text_is_rejected_before_parsing() -> None:
    assert parse("on" + " " * (MAX_TEXT - 2)).verb == "on"
    assert error_key(parse, "on" + " " * (MAX_TEXT - 1)) == "error.too_long"


# --- parse_draft --------------------------------------------------------------------------------


def test_draft_with_url_caption_and_trailing_hashtags() -> None:
    draft = parse_draft("https://example.com/jobs Wir stellen ein! #Jobs #Karriere")
    assert draft.url == "https://example.com/jobs"
    assert draft.captions == ("Wir stellen ein!",)
    assert draft.hashtags == ("Jobs", "Karriere")
    assert draft.options == {}


def test_inline_hashtag_stays_in_the_text() -> None:
    draft = parse_draft("https://example.com Unser #Sommerfest war toll #Team")
    assert draft.captions == ("Unser #Sommerfest war toll",)
    assert draft.hashtags == ("Sommerfest", "Team")


def test_caption_of_only_hashtags_keeps_them() -> None:
    assert parse_draft("https://example.com #Jobs").captions == ("#Jobs",)


def test_variants_split_on_double_bar_with_shared_unique_hashtags() -> None:
    draft = parse_draft("https://example.com Erste Fassung #Jobs || Zweite Fassung #jobs #Team")
    assert draft.captions == ("Erste Fassung", "Zweite Fassung")
    assert draft.hashtags == ("Jobs", "Team")


def test_double_bar_without_spaces_is_not_a_variant_separator() -> None:
    # The README's command table and split_captions' docstring: variants are separated by " || ".
    draft = parse_draft("https://example.com In C heißt oder a||b")
    assert draft.captions == ("In C heißt oder a||b",)


def test_hash_inside_a_word_at_the_end_is_not_cut_from_the_caption() -> None:
    # "jobs#apply" is no hashtag (it is not found as one), so it must not be removed either.
    draft = parse_draft("https://example.com Bewerbung unter https://example.com/jobs#apply")
    assert draft.captions == ("Bewerbung unter https://example.com/jobs#apply",)
    assert draft.hashtags == ()


def test_options_are_taken_out_of_the_caption() -> None:
    draft = parse_draft(
        "https://example.com Hallo Welt --at 2h --expires 2026-12-01 --topic jobs "
        "--lang en --networks linkedin,x"
    )
    assert draft.captions == ("Hallo Welt",)
    assert draft.options == {
        "at": "2h",
        "expires": "2026-12-01",
        "topic": "jobs",
        "lang": "en",
        "networks": "linkedin,x",
    }


def test_option_in_the_middle_of_the_caption_is_taken_out_with_its_value() -> None:
    draft = parse_draft("https://example.com Hallo --at 2h Welt")
    assert draft.captions[0].split() == ["Hallo", "Welt"]
    assert draft.options == {"at": "2h"}


def test_option_names_are_case_insensitive() -> None:
    assert parse_draft("https://example.com Hallo --AT now").options == {"at": "now"}


def test_unknown_option_is_rejected() -> None:
    with pytest.raises(UserError) as caught:
        parse_draft("https://example.com Hallo --when 2h")
    assert (caught.value.key, caught.value.params) == ("error.unknown_option", {"option": "--when"})


def test_option_without_value_at_the_end_is_rejected() -> None:
    assert error_key(parse_draft, "https://example.com Hallo --at") == "error.option_value"


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com Hallo --at --expires 2d",
        "https://example.com Hallo --topic --lang en",
    ],
)
def test_option_followed_by_another_option_has_no_value(text: str) -> None:
    # The next option must not be swallowed as the value (topic "--lang", caption "Hallo en").
    assert error_key(parse_draft, text) == "error.option_value"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/file",
        "https://",
        "http:///path",
        "javascript:alert(1)",
        "example.com",
        "mailto:hr@example.com",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_bad_url_is_rejected(url: str) -> None:
    assert error_key(parse_draft, f"{url} Hallo") == "error.url"


@pytest.mark.parametrize("url", ["http://example.com", "https://example.com/a?b=1&c=2#x"])
def test_good_url_is_kept_verbatim(url: str) -> None:
    assert parse_draft(f"{url} Hallo").url == url


@pytest.mark.parametrize(
    ("rest", "key"),
    [
        ("", "error.url"),
        ("https://example.com", "error.caption_missing"),
        ("https://example.com  ||  ", "error.caption_missing"),
    ],
)
def test_missing_url_or_caption_is_rejected(rest: str, key: str) -> None:
    assert error_key(parse_draft, rest) == key


def test_at_most_ten_variants() -> None:
    ten = " || ".join(f"Fassung {n}" for n in range(MAX_VARIANTS))
    assert len(parse_draft(f"https://example.com {ten}").captions) == MAX_VARIANTS
    eleven = ten + " || noch eine"
    assert error_key(parse_draft, f"https://example.com {eleven}") == "error.too_many_variants"


def test_caption_length_is_limited_without_its_trailing_hashtags() -> None:
    longest = "a" * MAX_CAPTION
    assert parse_draft(f"https://example.com {longest} #Jobs").captions == (longest,)
    assert error_key(parse_draft, f"https://example.com {longest}b") == "error.caption_long"


# --- networks, topics, users, ids ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("all", ()),
        ("ALL", ()),
        ("linkedin", ("linkedin",)),
        ("LinkedIn, X ,xing", ("linkedin", "x", "xing")),
        ("x,x,bluesky", ("x", "bluesky")),
    ],
)
def test_parse_networks(text: str, expected: tuple[str, ...]) -> None:
    assert parse_networks(text) == expected


@pytest.mark.parametrize("text", ["myspace", "linkedin,myspace", "all,x"])
def test_unknown_network_is_rejected(text: str) -> None:
    assert error_key(parse_networks, text) == "error.network"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("jobs", ("jobs",)),
        ("Jobs, Events ,jobs", ("jobs", "events")),
        (
            "weiterbildung,team-events,öffentlichkeit",
            ("weiterbildung", "team-events", "öffentlichkeit"),
        ),
    ],
)
def test_parse_topics(text: str, expected: tuple[str, ...]) -> None:
    assert parse_topics(text) == expected


@pytest.mark.parametrize("text", ["two words", "jobs!", "a" * 41, "<b>"])
def test_bad_topic_is_rejected(text: str) -> None:
    assert error_key(parse_topics, text) == "error.topic"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<@U123|anna>", "U123"),
        ("<@U0ABC9>", "U0ABC9"),
        ("@anna", "anna"),
        ("anna", "anna"),
        ("29:1a2B-3c_4D", "29:1a2B-3c_4D"),
        ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000001"),
        ("anna.berg@example.com", "anna.berg@example.com"),
    ],
)
def test_parse_user(text: str, expected: str) -> None:
    assert parse_user(text) == expected


@pytest.mark.parametrize("text", ["", "@", "<@u123>", "anna berg", "<script>", "a;b", "a" * 129])
def test_garbage_user_is_rejected(text: str) -> None:
    assert error_key(parse_user, text) == "error.user"


@pytest.mark.parametrize(("text", "expected"), [("12", 12), ("#12", 12), (" #7 ", 7), ("0", 0)])
def test_parse_id(text: str, expected: int) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", ["abc", "#", "", "-1", "1.5", "##1", "1234567890", "#12a"])
def test_bad_id_is_rejected(text: str) -> None:
    assert error_key(parse_id, text) == "error.id"


# --- share links -------------------------------------------------------------------------------

URL = "https://example.com/jobs?a=1&b=2"
CAPTION = "Schöne Grüße & viel Spaß #Team"


def query(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


@pytest.mark.parametrize(
    ("network", "prefix", "key"),
    [
        ("linkedin", "https://www.linkedin.com/sharing/share-offsite/?", "url"),
        ("xing", "https://www.xing.com/spi/shares/new?", "url"),
        ("facebook", "https://www.facebook.com/sharer/sharer.php?", "u"),
    ],
)
def test_url_only_networks_take_just_the_url(network: str, prefix: str, key: str) -> None:
    link = share_target(network, url=URL, caption=CAPTION, hashtags=["Jobs"])
    assert link.startswith(prefix)
    assert query(link) == {key: [URL]}
    assert "&b=2" not in link  # the link's own query is encoded, not merged


def test_x_gets_text_url_and_only_the_hashtags_not_in_the_text() -> None:
    link = share_target("x", url=URL, caption=CAPTION, hashtags=["team", "Jobs", "Karriere"])
    assert link.startswith("https://twitter.com/intent/tweet?")
    assert query(link) == {"text": [CAPTION], "url": [URL], "hashtags": ["Jobs,Karriere"]}


def test_x_without_new_hashtags_has_no_hashtags_parameter() -> None:
    link = share_target("x", url=URL, caption=CAPTION, hashtags=["Team"])
    assert "hashtags" not in query(link)


def test_x_keeps_a_hashtag_that_is_only_the_start_of_a_longer_one() -> None:
    # "#Stellen" is not in the text; "#Stellenangebote" is a different hashtag.
    link = share_target("x", url=URL, caption="Neue #Stellenangebote", hashtags=["Stellen"])
    assert query(link)["hashtags"] == ["Stellen"]


@pytest.mark.parametrize(
    ("network", "prefix"),
    [("bluesky", "https://bsky.app/intent/compose?text="), ("whatsapp", "https://wa.me/?text=")],
)
def test_text_networks_get_text_hashtags_and_url_encoded(network: str, prefix: str) -> None:
    link = share_target(network, url=URL, caption=CAPTION, hashtags=["Team", "Jobs"])
    assert link.startswith(prefix)
    encoded = link.removeprefix(prefix)
    assert unquote(encoded) == f"{CAPTION} #Jobs {URL}"
    assert "Sch%C3%B6ne%20Gr%C3%BC%C3%9Fe%20%26%20viel%20Spa%C3%9F" in encoded
    for raw in ("&", "?", "=", "#", " ", "ö", "ß"):
        assert raw not in encoded
    assert query(link) == {"text": [f"{CAPTION} #Jobs {URL}"]}


def test_every_network_has_a_target_and_unknown_ones_raise() -> None:
    for network in NETWORKS:
        assert share_target(network, url=URL, caption="Hallo", hashtags=()).startswith("https://")
    with pytest.raises(ValueError):
        share_target("myspace", url=URL, caption="Hallo", hashtags=())


def test_copy_text_has_caption_new_hashtags_and_url() -> None:
    text = copy_text(url=URL, caption=CAPTION, hashtags=["team", "Jobs", "Karriere"])
    assert text == f"{CAPTION}\n\n#Jobs #Karriere\n\n{URL}"
    assert copy_text(url=URL, caption=CAPTION, hashtags=["Team"]) == f"{CAPTION}\n\n{URL}"


def test_copy_text_keeps_a_hashtag_that_is_only_the_start_of_a_longer_one() -> None:
    text = copy_text(url=URL, caption="Neue #Stellenangebote", hashtags=["Stellen"])
    assert text == f"Neue #Stellenangebote\n\n#Stellen\n\n{URL}"


def test_an_option_inside_the_caption_leaves_no_double_space() -> None:
    assert parse_draft("https://example.com Hallo --at 2h Welt").captions == ("Hallo Welt",)


# --- photos and the share page ----------------------------------------------------------------


def test_image_may_be_given_several_times_and_page_takes_no_value() -> None:
    draft = parse_draft(
        "https://example.com Unser Ausflug --image https://cdn.example/a.jpg --page "
        "--image https://cdn.example/b.png --topic team"
    )
    assert draft.photos == ("https://cdn.example/a.jpg", "https://cdn.example/b.png")
    assert draft.page and draft.options == {"topic": "team"}
    assert draft.captions == ("Unser Ausflug",)


def test_page_right_after_the_url_does_not_swallow_the_caption() -> None:
    draft = parse_draft("https://example.com --page Hallo Welt")
    assert (draft.page, draft.captions) == (True, ("Hallo Welt",))
    assert not parse_draft("https://example.com Hallo").page


def test_the_same_photo_twice_counts_once_and_five_are_too_many() -> None:
    same = "--image https://cdn.example/a.jpg --image https://cdn.example/a.jpg"
    assert parse_draft(f"https://example.com Hallo {same}").photos == ("https://cdn.example/a.jpg",)
    five = " ".join(f"--image https://cdn.example/{n}.jpg" for n in range(5))
    assert error_key(parse_draft, f"https://example.com Hallo {five}") == "error.photo.too_many"


@pytest.mark.parametrize("photo", ["ftp://cdn.example/a.jpg", "a.jpg", "file:///etc/passwd"])
def test_a_photo_must_be_a_web_address(photo: str) -> None:
    assert error_key(parse_draft, f"https://example.com Hallo --image {photo}") == "error.url"


def test_image_without_an_address_is_rejected() -> None:
    assert error_key(parse_draft, "https://example.com Hallo --image") == "error.option_value"


def test_instagram_has_no_web_composer_and_is_offered_only_with_a_photo() -> None:
    assert share_target("instagram", url=URL, caption="Hallo", hashtags=()) == INSTAGRAM_WEB
    assert "instagram" not in offered((), has_photos=False)
    assert "instagram" in offered((), has_photos=True)
    assert offered(("instagram", "x"), has_photos=True) == ["instagram", "x"]


# --- tracked links (policy utm) ---------------------------------------------------------------


def test_campaign_tags_name_the_network_and_the_suggestion_and_keep_the_query() -> None:
    tagged = campaign_link(URL, network="linkedin", suggestion_id=12)
    assert tagged.startswith(URL + "&")  # the link's own query stays exactly as written
    assert query(tagged) == {
        "a": ["1"],
        "b": ["2"],
        "utm_source": ["linkedin"],
        "utm_medium": ["employee-share"],
        "utm_campaign": ["sharebot-12"],
    }


def test_campaign_tags_keep_fragments_encoding_and_the_authors_own_utm_values() -> None:
    link = "https://example.com/p?q=a%20b&utm_campaign=spring#top"
    tagged = campaign_link(link, network="x", suggestion_id=3)
    assert tagged == (
        "https://example.com/p?q=a%20b&utm_campaign=spring&utm_source=x"
        "&utm_medium=employee-share#top"
    )
    assert campaign_link("https://example.com", network="x", suggestion_id=3) == (
        "https://example.com/?utm_source=x&utm_medium=employee-share&utm_campaign=sharebot-3"
    )


def test_a_tagged_share_link_carries_the_tags_inside_the_networks_url_parameter() -> None:
    tagged = campaign_link(URL, network="linkedin", suggestion_id=12)
    link = share_target("linkedin", url=tagged, caption=CAPTION, hashtags=())
    assert query(query(link)["url"][0])["utm_source"] == ["linkedin"]
