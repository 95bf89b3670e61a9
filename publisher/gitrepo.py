"""The one module that talks to git (through GitPython).

Every git failure becomes a clear fallback: outside a repository, with git missing or on a
broken repository, the functions here return None and the site says it could not establish
the commit, instead of failing the build.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    date: dt.datetime
    #: True when ledgers/ has changes not yet committed: the site shows more than the commit
    dirty: bool = False

    @property
    def short(self) -> str:
        return self.sha[:7]


def head_commit(root: Path, books_dir: str = "ledgers") -> CommitInfo | None:
    """The commit the books are at, or None when it cannot be established."""
    try:
        import git  # GitPython raises ImportError when no git executable is found

        repo = git.Repo(root, search_parent_directories=True)
        try:
            commit = repo.head.commit
            relative = (Path(root).resolve() / books_dir).relative_to(Path(repo.working_tree_dir).resolve())
            dirty = repo.is_dirty(untracked_files=True, path=relative.as_posix())
            return CommitInfo(commit.hexsha, commit.committed_datetime, dirty)
        finally:
            repo.close()
    except Exception:  # noqa: BLE001 - any git failure means: commit unknown, site still builds
        return None
