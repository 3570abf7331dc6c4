"""An author's draft and its last teaching preview, kept per author (training.publishing):
a reload gives both back; only the author, with the right to author, keeps or reads them."""

from __future__ import annotations

import pytest

from training import accounts, authoring, preview, publishing
from training.authz import Forbidden
from training.models import Role

PW = "a-long-password-1"


def test_the_last_preview_is_kept_with_the_draft(database):
    ann = accounts.create_user(database, "ann", PW, Role.INSTRUCTOR)
    bob = accounts.create_user(database, "bob", PW, Role.INSTRUCTOR)
    text = authoring.blank_text()
    sc = authoring.validate_text(text).scenario
    asked = preview.PreviewRequest(sc.content_hash(), 2, 3)
    # a run under way, with no draft yet: the text it ran on becomes the draft
    assert publishing.keep_preview(database, ann, text, preview.to_kept(None, asked))
    assert publishing.load_draft(database, ann)[0] == text
    assert preview.from_kept(publishing.load_preview(database, ann)) == (None, asked)
    result = preview.run_preview(sc, reps=2, months=3)
    assert publishing.keep_preview(database, ann, text, preview.to_kept(result))
    back, pending = preview.from_kept(publishing.load_preview(database, ann))
    assert pending is None and preview.to_kept(back) == preview.to_kept(result)
    # editing the draft keeps the preview beside it (the page says it is of another text)
    assert publishing.save_draft(database, ann, text + "\n# edited\n")
    assert preview.from_kept(publishing.load_preview(database, ann))[0] is not None
    assert publishing.load_preview(database, bob) is None


def test_only_an_author_keeps_a_preview(database):
    trainee = accounts.create_user(database, "tom", PW)
    kept = preview.to_kept(None)
    assert publishing.keep_preview(database, None, "x", kept) is False
    assert publishing.load_preview(database, None) is None
    with pytest.raises(Forbidden):
        publishing.keep_preview(database, trainee, "x", kept)
    with pytest.raises(Forbidden):
        publishing.load_preview(database, trainee)
