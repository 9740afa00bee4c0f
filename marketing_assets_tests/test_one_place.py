"""One table, one place: each table's name is written once in the package (its declaration;
the simulator's export list is the source systems' own naming), and the asset's "view
code" (``dagster/code_references``) opens that declaration."""

import re
from pathlib import Path

from marketing_assets.definitions import defs

PACKAGE = Path(__file__).resolve().parent.parent / "marketing_assets"
#: what the simulated source systems write: their own names for their exports
SIMULATOR_EXPORTS = PACKAGE / "sim" / "exports.py"
GRAPH = defs.resolve_asset_graph()
TABLES = [k for k in GRAPH.get_all_asset_keys() if k.path[0].startswith("red") and k.path[-1] != "quarantine"]


def _declared_name(table: str) -> str:
    """The name a table's declaration writes: a snapshot's change-events table is named
    after its snapshot (``OdsSpec.events_table``)."""
    return table.removesuffix("_event_di") + "_df" if table.endswith("_event_di") else table


def _sources() -> dict[Path, str]:
    return {p: p.read_text() for p in PACKAGE.rglob("*.py") if p != SIMULATOR_EXPORTS}


def test_every_table_name_is_written_in_one_module_of_the_package():
    sources = _sources()
    written = {
        key.path[-1]: sorted(str(p.relative_to(PACKAGE)) for p, text in sources.items()
                             if re.search(rf"\b{re.escape(_declared_name(key.path[-1]))}\b", text))
        for key in TABLES
    }
    assert {name: files for name, files in written.items() if len(files) != 1} == {}
    # the acceptance's example: the coupon seller table lives in its family's module
    assert written["dm_ecm_trd_mkt_coupon_sellerid_nd_di"] == ["domains/coupon/sellers.py"]


def test_view_code_opens_the_statement_that_declares_the_table():
    for key in TABLES:
        refs = GRAPH.get(key).metadata["dagster/code_references"].code_references
        assert len(refs) == 1, key
        lines = Path(refs[0].file_path).read_text().splitlines()
        # the statement starting at the referenced line names the table (a helper call such
        # as seller_table(...) or a source factory names it on its next lines)
        statement = "\n".join(lines[refs[0].line_number - 1: refs[0].line_number + 3])
        assert _declared_name(key.path[-1]) in statement, (key, refs[0].file_path, refs[0].line_number)
