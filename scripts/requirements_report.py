"""Print one line per requirement ID of docs/requirements.md: ID, passing tests, failing tests."""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID_ROW = re.compile(r"^\|\s*\*{0,2}([A-Z]{1,4}-\d+)\*{0,2}\s*\|")


def requirement_ids() -> list[str]:
    text = (ROOT / "docs" / "requirements.md").read_text(encoding="utf-8")
    return [m.group(1) for line in text.splitlines() if (m := ID_ROW.match(line))]


def main(report_path: str) -> int:
    path = Path(report_path)
    counts = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    ids = requirement_ids()
    for req_id in ids:
        c = counts.get(req_id, {})
        print(f"{req_id} {c.get('passed', 0)} {c.get('failed', 0)}")
    unknown = sorted(set(counts) - set(ids))
    if unknown:
        print("tests name IDs missing from docs/requirements.md:", ", ".join(unknown), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".req-report.json"))
