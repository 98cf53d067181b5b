from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from access.models import License, Role, RoleModule, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("patronymic", "language")}))


admin.site.register(License)
admin.site.register(Role)
admin.site.register(RoleModule)
