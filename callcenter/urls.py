from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from callcenter.views import audit, pages
from callcenter.web.throttle import ThrottledLoginView
from telephony.views.call import webhook_inbox

urlpatterns = [
    path("", pages.home, name="home"),
    path("health/", pages.health, name="health"),
    path("health/live/", pages.live, name="live"),
    # The hottest route (every provider event), so it is matched before the includes: the
    # empty-prefix telephony include alone tried ~40 patterns first.
    path("webhooks/<str:token>/", webhook_inbox, name="webhook_inbox"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("contacts/", include("contacts.urls")),
    path("audit/", audit.audit_list, name="audit"),
    path("templates/", include("campaigns.urls_tts")),
    path("campaigns/", include("campaigns.urls")),
    path("", include("telephony.urls")),
    path("admin/", admin.site.urls),
]
