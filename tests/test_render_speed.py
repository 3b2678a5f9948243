"""The template environment's quicker paths give what Jinja's own give."""
from __future__ import annotations

from decimal import Decimal

import jinja2
import markupsafe
import pytest
from conftest import ROOT

from sitegen.render import _escape_output, environment


@pytest.mark.parametrize("value", [
    "", "plain", "Nghị quyết 58-NQ/TW", "<b>a & b</b>", "'single' \"double\"", "&amp; already",
    markupsafe.Markup("<em>safe</em>"), 2021, 0, Decimal("1.50"), 3.25, None, True,
])
def test_output_escaping_matches_markupsafe(value):
    assert _escape_output(value) == str(markupsafe.escape(value))


def _pair(source: str, **context) -> tuple[str, str]:
    """The same template rendered by the site's environment and by a plain Jinja one."""
    plain = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                               undefined=jinja2.StrictUndefined)
    ours = environment(ROOT / "templates")
    return ours.from_string(source).render(**context), plain.from_string(source).render(**context)


def test_templates_escape_and_look_up_as_jinja_does():
    source = ("{{ d.name }} {{ d.items is callable }} {{ d.get('name') }} {{ d['keys'] }} {{ o.real }} {{ m }} {{ s }}"
              "{% macro x(v) %}<i>{{ v }}</i>{% endmacro %}{{ x(s) }}{% set y %}{{ s }}{% endset %}{{ y }}"
              "{{ s ~ m }}{% autoescape false %}{{ s }}{% endautoescape %}")
    context = {"d": {"name": "<a>", "items": 1, "keys": "k"}, "o": 3, "m": markupsafe.Markup("<br>"), "s": "a&b"}
    ours, plain = _pair(source, **context)
    assert ours == plain


def test_a_missing_dict_key_is_still_an_error():
    with pytest.raises(jinja2.UndefinedError):
        _pair("{{ d.missing }}", d={"name": "x"})
