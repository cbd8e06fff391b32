"""A staff member's notices: their own only, unread first; marking one or all read; the
header's count."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from egov.notifications.models import StaffNotification
from egov.notifications.services import staff_notify
from tests.conftest import PROVINCE

pytestmark = pytest.mark.django_db

NOTICES = "/can-bo/thong-bao/"


def notify(user, title, link=""):
    staff_notify(recipients=[user], title=title, body=f"Nội dung: {title}.", link=link)
    return StaffNotification.objects.filter(recipient=user).latest("pk")


def test_a_staff_member_sees_their_own_notices_unread_first(client, people, clock):
    me, other = people["desk"], people["specialist"]
    old = notify(me, "Hồ sơ 001 đã được chuyển", link="/can-bo/ho-so/001/")
    clock.now += datetime.timedelta(minutes=5)
    notify(me, "Thông báo mới nhất")
    notify(other, "Việc của người khác")
    client.force_login(me)
    client.post(reverse("notifications:mark_read", args=[old.pk]))
    clock.now += datetime.timedelta(minutes=5)
    notify(me, "Thông báo sau cùng", link="https://ke-gian.example/lua-dao")
    page = client.get(NOTICES)
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Thông báo</h1>" in html
    assert "Việc của người khác" not in html
    titles = re.findall(r'<h2 id="thong-bao-\d+">(.*?)</h2>', html)
    assert len(titles) == 3
    # The two unread first (newest first), marked; the read one after, its link kept.
    assert "Chưa đọc" in titles[0] and "Thông báo sau cùng" in titles[0]
    assert "Chưa đọc" in titles[1] and "Thông báo mới nhất" in titles[1]
    assert "Chưa đọc" not in titles[2]
    assert '<a href="/can-bo/ho-so/001/">Hồ sơ 001 đã được chuyển</a>' in titles[2]
    # A link off the site is not followed.
    assert "ke-gian.example" not in html
    assert "Bạn có 2 thông báo chưa đọc." in html
    assert html.count(">Đánh dấu đã đọc<") == 2
    assert "Đánh dấu tất cả đã đọc" in html


def test_marking_read_touches_only_ones_own(client, people):
    me, other = people["desk"], people["specialist"]
    mine = notify(me, "Của tôi")
    theirs = notify(other, "Của người khác")
    client.force_login(me)
    answer = client.post(reverse("notifications:mark_read", args=[theirs.pk]))
    assert answer.status_code == 302 and answer["Location"] == NOTICES
    theirs.refresh_from_db()
    assert theirs.read_at is None
    answer = client.post(reverse("notifications:mark_read", args=[mine.pk]), follow=True)
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert "Đã đánh dấu thông báo là đã đọc." in answer.content.decode()
    assert client.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405


def test_mark_all_read(client, people):
    me, other = people["desk"], people["specialist"]
    for n in range(3):
        notify(me, f"Thông báo {n}")
    notify(other, "Của người khác")
    client.force_login(me)
    answer = client.post(reverse("notifications:mark_all_read"), follow=True)
    html = answer.content.decode()
    assert "Bạn đã đọc hết thông báo." in html and ">Đánh dấu đã đọc<" not in html
    assert not StaffNotification.objects.filter(recipient=me, read_at__isnull=True).exists()
    assert StaffNotification.objects.get(recipient=other).read_at is None


def test_the_header_counts_unread_notices_for_staff(client, people, staff):
    me = people["desk"]
    client.force_login(me)
    header = client.get("/").content.decode()
    assert '<a href="/can-bo/thong-bao/">Thông báo</a>' in header  # nothing unread: no count
    notify(me, "Một")
    notify(me, "Hai")
    header = client.get("/").content.decode()
    assert (
        '<a href="/can-bo/thong-bao/">Thông báo <span class="badge badge-late">2'
        '<span class="visually-hidden"> chưa đọc</span></span></a>'
    ) in header
    assert "Liên thông</a>" not in header
    admin = staff("quantri", PROVINCE, "province_admin")
    client.force_login(admin)
    header = client.get("/").content.decode()
    assert 'href="/can-bo/lien-thong/">Liên thông</a>' in header
    assert '<a href="/can-bo/thong-bao/">Thông báo</a>' in header


def notice_queries(client, address, **headers):
    with CaptureQueriesContext(connection) as queries:
        client.get(address, headers=headers)
    return [
        q["sql"] for q in queries.captured_queries if "notifications_staffnotification" in q["sql"]
    ]


def test_the_count_costs_one_query_and_only_for_staff(client, people, django_user_model):
    client.force_login(django_user_model.objects.create_user("congdan", password="x"))
    assert "Thông báo" not in client.get("/").content.decode()
    assert notice_queries(client, "/") == []
    client.force_login(people["desk"])
    notify(people["desk"], "Một")
    (count,) = notice_queries(client, "/")
    assert "COUNT(" in count
    # An htmx partial draws no header, so it does not count at all.
    assert notice_queries(client, "/?q=khai+sinh", HX_Request="true") == []


def test_only_signed_in_staff_see_the_page(client, django_user_model):
    answer = client.get(NOTICES)
    assert answer.status_code == 302 and answer["Location"].startswith("/dang-nhap/")
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    client.force_login(django_user_model.objects.create_user("congdan", password="x"))
    answer = client.get(NOTICES)
    assert answer.status_code == 403 and "Không có quyền truy cập" in answer.content.decode()
    assert client.post(reverse("notifications:mark_all_read")).status_code == 403
