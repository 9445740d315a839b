"""The README's quickstart must run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_quickstart_runs():
    text = README.read_text()
    code = re.search(r"## Quickstart\n\n```python\n(.*?)```", text, re.S).group(1)
    namespace = {}
    exec(compile(code, "README.md quickstart", "exec"), namespace)
    assert namespace["Z"].shape == (500, 3)
    assert namespace["new_spectra"].shape == (10, 300)
    assert (
        namespace["relative_squared_error"](
            namespace["corrected_test"], namespace["reconstruction"]
        )
        < 0.2
    )
