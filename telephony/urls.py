from django.urls import path

from telephony.views import accounts as views_accounts
from telephony.views import agents as views_agents
from telephony.views import call as views
from telephony.views import calls as views_calls
from telephony.views import dids as views_dids
from telephony.views import dispositions as views_dispositions
from telephony.views import masked as views_masked
from telephony.views import privacy as views_privacy
from telephony.views import sms as views_sms
from telephony.views import wallboard as views_wallboard
from telephony.views import workspace as views_workspace

app_name = "telephony"
urlpatterns = [
    path("accounts/", views_accounts.account_list, name="accounts"),
    path("accounts/new/", views_accounts.account_edit, name="account_create"),
    path("accounts/<int:pk>/", views_accounts.account_detail, name="account_detail"),
    path("accounts/<int:pk>/edit/", views_accounts.account_edit, name="account_edit"),
    path(
        "accounts/<int:pk>/<str:action>/",
        views_accounts.account_action,
        name="account_action",
    ),
    path("calls/", views_calls.call_log, name="calls"),
    path("calls/export.csv", views_calls.call_export, name="call_export"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/disposition/", views.call_disposition, name="call_disposition"),
    path("calls/<int:pk>/recording/", views.call_recording, name="call_recording"),
    path("contacts/<int:contact_pk>/call/", views.call_contact, name="call_contact"),
    path("contacts/<int:contact_pk>/sms/", views_sms.contact_sms, name="contact_sms"),
    path(
        "contacts/<int:contact_pk>/export/",
        views_privacy.contact_export_view,
        name="contact_export",
    ),
    path(
        "contacts/<int:contact_pk>/erase/", views_privacy.contact_erase_view, name="contact_erase"
    ),
    path("wallboard/", views_wallboard.wallboard, name="wallboard"),
    path(
        "wallboard/agents/<int:pk>/state/",
        views_wallboard.wallboard_agent_state,
        name="wallboard_agent_state",
    ),
    path("workspace/", views_workspace.workspace, name="workspace"),
    path("workspace/state/", views_workspace.workspace_state, name="workspace_state"),
    path("workspace/state/set/", views_workspace.workspace_set_state, name="workspace_set_state"),
    path("workspace/current/", views_workspace.workspace_current, name="workspace_current"),
    path("workspace/callbacks/", views_workspace.workspace_callbacks, name="workspace_callbacks"),
    path(
        "workspace/calls/<int:pk>/wrap-up/",
        views_workspace.workspace_wrap_up,
        name="workspace_wrap_up",
    ),
    path("callbacks/", views_workspace.callback_list, name="callbacks"),
    path("callbacks/<int:pk>/close/", views_workspace.callback_close_view, name="callback_close"),
    path("dispositions/", views_dispositions.disposition_list, name="dispositions"),
    path("dispositions/<int:pk>/", views_dispositions.disposition_list, name="disposition_edit"),
    path(
        "dispositions/sync/<int:account_pk>/",
        views_dispositions.disposition_sync,
        name="disposition_sync",
    ),
    path("masked/", views_masked.masked_list, name="masked"),
    path("masked/<int:pk>/", views_masked.masked_detail, name="masked_detail"),
    path("masked/<int:pk>/cancel/", views_masked.masked_cancel, name="masked_cancel"),
    path("dids/", views_dids.did_list, name="dids"),
    path("dids/search/", views_dids.did_search, name="did_search"),
    path("dids/buy/", views_dids.did_buy_view, name="did_buy"),
    path("dids/<int:pk>/assign/", views_dids.did_assign_view, name="did_assign"),
    path("dids/<int:pk>/release/", views_dids.did_release_view, name="did_release"),
    path("dids/settle/<int:account_pk>/", views_dids.did_settle_view, name="did_settle"),
    path("agents/", views_agents.agent_list, name="agents"),
    path("agents/new/", views_agents.agent_new, name="agent_new"),
    path("agents/<int:pk>/toggle/", views_agents.agent_toggle, name="agent_toggle"),
    path("extensions/<int:pk>/", views_agents.extension_update, name="extension_update"),
]
