"""The two ways a Kolada fetch fails; both carry a Swedish message for the operator."""


class KoladaError(Exception):
    """Kolada's answer could not be used; nothing is stored."""


class KoladaUnavailable(KoladaError):
    """Kolada could not be reached (network, timeout, overload) even after the retries."""


class KoladaBadResponse(KoladaError):
    """Kolada (or a saved file) answered with something that is not of the documented shape."""
