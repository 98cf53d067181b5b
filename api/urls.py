from django.urls import path

from api import views
from api.docs import docs_asset
from api.v1 import api

app_name = "api"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.revoke_token, name="revoke_token"),
    path("v1/docs/assets/<str:name>", docs_asset, name="docs_asset"),
    path("v1/", api.urls),
]
