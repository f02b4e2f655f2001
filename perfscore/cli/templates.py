"""``perfscore show``, ``schema``, ``templates``, ``check`` and ``review``."""

from __future__ import annotations

import argparse

from ..errors import PerfscoreError
from .common import EXIT_OK, _emit, _search

__all__ = []


def cmd_show(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..build.library import TemplateLibrary
    from ..render.show import show_template

    lib = TemplateLibrary(_search(args) or ())
    path = Path(args.template) if Path(args.template).is_file() else lib.find(args.template)
    _emit(show_template(lib.load(path), args.format), args.output, fmt=args.format)
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    import json

    from ..read.resources import load_schema, schemas_dir

    if args.path:
        print(schemas_dir() / f"{args.name}.schema.json")
        return EXIT_OK
    _emit(
        json.dumps(load_schema(args.name), ensure_ascii=False, indent=2) + "\n",
        args.output,
        fmt="json",
    )
    return EXIT_OK


def cmd_templates(args: argparse.Namespace) -> int:
    from ..build.library import TemplateLibrary

    lib = TemplateLibrary(_search(args) or ())
    for ref in lib.shipped_ids():
        try:
            t = lib.load(lib.find(ref))
            print(f"{ref}\t{t.name}")
        except PerfscoreError as err:
            print(f"{ref}\t（无法读取：{err.message}）")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    if args.properties:
        from ..testing.property_run import run_properties

        return run_properties(args)
    from ..testing.examples import run_examples

    return run_examples(args)


def cmd_review(args: argparse.Namespace) -> int:
    from .review import run_review

    return run_review(args)
