"""Files encrypted with SOPS (getsops.io), as GitOps repositories commit Secrets and other objects.

SOPS replaces each value it encrypts with ``ENC[AES256_GCM,data:<base64>,iv:<base64>,tag:<base64>,type:<type>]``
(the only cipher it writes) and adds a top-level ``sops`` mapping of metadata (keys, ``lastmodified``, ``mac``,
``version``; ``encrypted_regex`` and the like when only some values are encrypted). Nothing applies such a file
as written: Flux's kustomize-controller, helm-secrets or ``sops -d | kubectl apply`` decrypt it first, and
decryption removes the ``sops`` key. So the ``sops`` key is not a field of the object, and an encrypted value is
none of the values it will be (not a base64 text, not a number, not a credential in plain text).
"""

from __future__ import annotations

from guardlint._lazyre import lazy

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_CIPHERTEXT = lazy(r"ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]*,tag:[A-Za-z0-9+/=]*,type:[a-z]+\]\Z")


def is_ciphertext(value: Any) -> bool:
    """Whether ``value`` is a value SOPS encrypted (``ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]``)."""
    return isinstance(value, str) and value.startswith("ENC[AES256_GCM,") and _CIPHERTEXT.match(value) is not None


def is_encrypted_document(data: Any) -> bool:
    """Whether a document is a SOPS-encrypted file: a top-level ``sops`` mapping with the message
    authentication code or the time stamp SOPS writes into every file it encrypts."""
    if not isinstance(data, dict):
        return False
    meta = data.get("sops")
    return isinstance(meta, dict) and ("mac" in meta or "lastmodified" in meta)
