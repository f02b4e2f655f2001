"""The content digest: hashed when first read, the same value as hashing at once (issue 20).

Binding leaves ``Form.digest`` as a deferred hash (most batch forms are scored and written
without anybody reading it); whoever reads it, whenever, gets what ``digest(template, data)``
gave when it was computed eagerly.
"""

from __future__ import annotations

import decimal
import gc
import pickle
import weakref
from pathlib import Path

import attrs

import perfscore
from perfscore.build.template import digest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "examples" / "yueyanglou-2023" / "unit-self-evaluation.yaml"


def _form() -> perfscore.Form:
    return perfscore.load_form(SEED)


def _eager(form: perfscore.Form) -> str:
    return digest(form.template.digest, form.data)


def test_the_deferred_digest_is_the_eager_one() -> None:
    form = _form()
    expected = _eager(form)
    assert expected.startswith("sha256:")
    assert form.digest == expected
    assert type(form.digest) is str


def test_the_evaluation_reads_the_same_digest_before_or_after_the_form() -> None:
    first = _form()
    result = perfscore.evaluate(first)
    assert result.digest == first.digest == _eager(first)  # the evaluation first
    second = _form()
    assert second.digest == perfscore.evaluate(second).digest  # the form first
    assert type(result.digest) is str
    assert result.to_dict()["digest"] == result.digest


def test_a_callers_decimal_context_does_not_change_the_digest() -> None:
    form = _form()
    expected = perfscore.evaluate(_form()).digest
    with decimal.localcontext() as ctx:
        ctx.prec, ctx.capitals = 3, 0
        assert perfscore.evaluate(form).digest == expected


def test_mappings_and_pickles_carry_the_text() -> None:
    form = _form()
    result = perfscore.evaluate(form)
    again = pickle.loads(pickle.dumps(form))
    assert again.digest == form.digest
    back = pickle.loads(pickle.dumps(result))
    assert back.digest == result.digest and type(back.digest) is str
    assert attrs.asdict(form, recurse=False)["digest"] == form.digest
    assert attrs.evolve(form, digest="sha256:given").digest == "sha256:given"
    assert form.digest in repr(form)


def test_the_deferred_digest_keeps_no_form_alive() -> None:
    form = _form()
    result = perfscore.evaluate(form)
    alive = weakref.ref(form)
    expected = _eager(form)
    del form
    gc.collect()
    assert alive() is None  # the evaluation holds the data it hashes, not the form
    assert result.digest == expected


def test_forms_that_differ_have_different_digests() -> None:
    a = perfscore.load_form(SEED)
    data = perfscore.load_form(SEED).data
    changed = {**data, "unit": f"{data.get('unit')}（另一份）"}
    b = perfscore.load_form(changed, template=a.template)
    assert a.digest != b.digest
    same = perfscore.load_form(dict(reversed(list(data.items()))), template=a.template)
    assert same.digest == a.digest  # key order does not count
