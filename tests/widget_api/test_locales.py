"""The panel's language: the page's or the site's choice, else the browser's, else English."""

import pytest

from server.widget_api.bundles import load_bundle
from server.widget_api.locales import panel_locale


@pytest.mark.parametrize(
    ("asked", "accept_language", "chosen"),
    [
        ("fr", "es-ES,es;q=0.9", "fr"),
        ("ar-EG", "", "ar"),
        ("", "es-MX,es;q=0.9,en;q=0.8", "es"),
        ("de", "de-DE,fr;q=0.7,ar;q=0.9", "ar"),
        ("", "de-DE,ja;q=0.5", "en"),
        ("", "", "en"),
        ("null", "garbage;;;q=x", "en"),
        ("", "FR-ca", "fr"),
    ],
)
def test_the_page_or_site_choice_wins_then_the_browsers_languages_then_english(
    asked, accept_language, chosen
):
    """setLocale or the site's language when the widget has it, else the first browser language it has
    (by q weight), else English; unknown or malformed values are passed over."""
    assert panel_locale(asked=asked, accept_language=accept_language) == chosen


@pytest.mark.parametrize(
    ("query", "accept_language", "bundle"),
    [
        ("?locale=ar", "fr", "panel-ar.js"),
        ("?locale=", "es-ES,es;q=0.9", "panel-es.js"),
        ("", "fr-FR", "panel-fr.js"),
        ("?locale=xx", "", "panel-en.js"),
    ],
)
def test_panel_js_serves_the_chosen_languages_bundle(client, query, accept_language, bundle):
    """GET /widget/panel.js answers the bundle of the chosen language."""
    response = client.get("/widget/panel.js" + query, headers={"accept-language": accept_language})
    assert response.status_code == 200
    assert response.content == load_bundle(bundle)


def test_each_language_has_its_own_panel_bundle():
    """The build makes one panel per language, each with its own words."""
    assert "Écrivez un message" in load_bundle("panel-fr.js").decode()
    assert "Escribe un mensaje" in load_bundle("panel-es.js").decode()
    assert "اكتب رسالة" in load_bundle("panel-ar.js").decode()
    assert load_bundle("panel-en.js") == load_bundle("panel.js")
