"""The error pages (400, 403, 404, 500, a refused CSRF check) are FDX pages: the site's layout, the user's
language, no traceback; and /admin/ tells a signed-in non-administrator so instead of looping."""

import pytest
from django.test import Client, RequestFactory, override_settings

pytestmark = pytest.mark.django_db

ERRORS = override_settings(ROOT_URLCONF="tests.web_support.urls", DEBUG=False)

# (path, status, English title, Russian title)
PAGES = [
    ("/no-such-page/", 404, "Page not found", "Страница не найдена"),
    ("/test-malformed/", 400, "The request could not be read", "Запрос не удалось прочитать"),
    ("/test-crash/", 500, "Something went wrong on the server", "На сервере произошла ошибка"),
]


def _in_layout(page: str) -> bool:
    return 'class="topbar"' in page and "fdx/css/fdx.css" in page and 'class="footer"' in page


@ERRORS
@pytest.mark.parametrize("language", ["en", "ru"])
@pytest.mark.parametrize(("path", "status", "english", "russian"), PAGES)
def test_error_pages_are_in_the_layout_and_the_users_language(
    persona, language, path, status, english, russian
):
    client = Client(raise_request_exception=False)
    client.force_login(persona("kz_lab_chemist"))

    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()

    assert response.status_code == status
    assert _in_layout(page), page[:500]
    assert (russian if language == "ru" else english) in page
    assert f'lang="{language}"' in page
    assert "Traceback" not in page and "on purpose" not in page


@ERRORS
def test_a_404_shows_the_navigation_to_a_signed_in_user(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/no-such-page/").content.decode()

    assert 'class="main-nav"' in page and "/cases/" in page


@ERRORS
@pytest.mark.parametrize(
    ("language", "title"), [("en", "You may not do this"), ("ru", "Вам это не разрешено")]
)
def test_a_403_names_the_reason_in_the_users_language(client, persona, language, title):
    client.force_login(persona("kz_lab_viewer"))

    response = client.get("/cases/new/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()

    assert response.status_code == 403
    assert _in_layout(page) and title in page
    reason = "У вас нет прав на ввод данных дел." if language == "ru" else "You may not record case data."
    assert reason in page


@ERRORS
@pytest.mark.parametrize(("language", "title"), [("en", "The form has expired"), ("ru", "Форма устарела")])
def test_a_refused_csrf_check_is_explained(persona, language, title):
    client = Client(enforce_csrf_checks=True)
    client.force_login(persona("kz_lab_chemist"))

    response = client.post("/accounts/signout/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()

    assert response.status_code == 403
    assert _in_layout(page) and title in page


@pytest.mark.django_db(transaction=False)
def test_the_500_page_needs_neither_the_database_nor_the_context_processors(django_db_blocker):
    from fdx.core.views import server_error

    request = RequestFactory().get("/anything/")  # no user, no session: nothing a context processor reads
    with django_db_blocker.block():  # any query would fail the test
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on the server" in page and 'class="topbar"' in page
    assert 'class="main-nav"' not in page


# /admin/


def test_admin_tells_a_signed_in_non_administrator_instead_of_looping(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    response = client.get("/admin/", follow=True)
    page = response.content.decode()

    assert response.status_code == 403
    assert len(response.redirect_chain) <= 1  # /admin/ → /admin/login/ → the 403, never back
    assert "The administration site is for node administrators." in page


def test_admin_refusal_is_in_russian(client, persona):
    client.force_login(persona("kz_lab_chemist"))

    page = client.get("/admin/", follow=True, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert "Сайт администрирования — для администраторов узла." in page


def test_admin_sends_an_anonymous_visitor_to_the_sign_in_page_once(client):
    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/accounts/signin/?next=%2Fadmin%2F"
    assert len(response.redirect_chain) == 2  # /admin/ → /admin/login/ → the sign-in page


def test_admin_opens_for_a_node_administrator(client, persona):
    client.force_login(persona("kz_node_admin"))

    assert client.get("/admin/").status_code == 200
