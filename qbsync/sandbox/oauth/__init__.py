"""Intuit's OAuth 2.0 side of the sandbox: registered apps, consent, codes and tokens, discovery, userinfo."""
from .grants import ApiAccessDenied, GrantStore, IssuedTokens, TokenError
from .registry import AppRegistry, RegisteredApp

__all__ = ['ApiAccessDenied', 'AppRegistry', 'GrantStore', 'IssuedTokens', 'RegisteredApp', 'TokenError']
