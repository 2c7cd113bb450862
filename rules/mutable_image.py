"""Images are pinned: a digest, or at least a tag other than `latest`."""

import functools

from wflint.finding import finding
from wflint.lazyre import lazy_compile

ID = "mutable-image"
SEVERITY = "warning"
GROUP = "security"
ENABLED = False
CWE = ("CWE-829", "CWE-494")
SECURITY_SEVERITY = 5.3
SUMMARY = "Images name a tag other than `latest`, or better a digest: never whatever the registry serves today."

_DIGEST = lazy_compile(r"@[A-Za-z0-9_+.-]+:[0-9a-fA-F]{32,}$")


def tag_of(image: str):
    """The tag of an image reference (None when it has none); digests are handled by the caller."""
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


@functools.lru_cache(maxsize=4096)
def _mutable(image: str):
    """(the image reference, its tag or None) when ``image`` may change under the
    same name; None when it is pinned (or a placeholder). A project names the
    same few images again and again: each is judged once."""
    if not image.strip() or "{{" in image or _DIGEST.search(image.strip()):
        return None
    image = image.strip()
    tag = tag_of(image)
    if tag is not None and tag != "latest":
        return None
    return image, tag


def check(document, context):
    from wflint.argo import pods   # only when the (opt-in) rule runs
    for site in pods.sites(document):
        if site.kind != pods.CONTAINER:
            continue
        image = site.data.get("image")
        found = _mutable(image) if isinstance(image, str) else None
        if found is None:
            continue
        image, tag = found
        path, span = site.at("image")
        what = "has no tag, so Kubernetes pulls `latest`" if tag is None else "uses the tag `latest`"
        yield finding(path, f"image `{image}` of {site.label} {what}: whatever the registry serves that day runs "
                            "with the workflow's service account and secrets, so whoever can push to the "
                            "repository (or take over its name) decides what runs",
                      span=span, hint=f"pin the image by digest (`{image.rsplit(':', 1)[0] if tag else image}"
                                      "@sha256:...`), or at least by a version tag that is never moved")
