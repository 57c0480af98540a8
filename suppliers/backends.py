"""The portal's authentication backend."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser

from suppliers.models import User


class UserWithSupplierBackend(ModelBackend):
    """Django's ModelBackend, whose user of a request comes with its supplier in the same query:
    every supplier page reads `request.user.supplier` (suppliers.selectors.supplier_for_user)."""

    def get_user(self, user_id: int) -> AbstractBaseUser | None:
        user = User._default_manager.select_related("supplier").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
