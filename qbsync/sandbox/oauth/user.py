"""The one Intuit user who signs in to the sandbox, and what OpenID scopes reveal about them.

The sandbox has no login: whoever opens the consent screen is this user, as a developer is on Intuit's sandbox.
Field names follow Intuit's userinfo response (camelCase, ``emailVerified`` etc.), not the OIDC standard's.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field

__all__ = ['SandboxUser']


@dataclass(frozen=True)
class SandboxUser:
    sub: str = field(default_factory=lambda: str(uuid.uuid4()))
    given_name: str = 'Sandbox'
    family_name: str = 'User'
    email: str = 'sandbox.user@example.com'
    phone_number: str = '+1 6505550100'
    street_address: str = '2700 Coast Ave'
    locality: str = 'Mountain View'
    region: str = 'CA'
    postal_code: str = '94043'
    country: str = 'US'

    def userinfo(self, scopes: tuple[str, ...] | list[str]) -> dict[str, object]:
        """Claims the granted scopes allow; ``sub`` always (it is the OpenID subject)."""
        claims: dict[str, object] = {'sub': self.sub}
        if 'profile' in scopes:
            claims.update(givenName=self.given_name, familyName=self.family_name)
        if 'email' in scopes:
            claims.update(email=self.email, emailVerified=True)
        if 'phone' in scopes:
            claims.update(phoneNumber=self.phone_number, phoneNumberVerified=True)
        if 'address' in scopes:
            claims['address'] = {'streetAddress': self.street_address, 'locality': self.locality,
                                 'region': self.region, 'postalCode': self.postal_code, 'country': self.country}
        return claims

    @property
    def display_name(self) -> str:
        return f'{self.given_name} {self.family_name}'
