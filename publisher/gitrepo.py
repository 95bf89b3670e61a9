"""The one module that talks to git (through GitPython).

The cooperative's repository is opened once (`BooksRepository.open`). Every git failure becomes
a clear fallback: outside a repository, with git missing, on a broken or shallow repository,
the functions here say what they could not establish instead of failing the build. No string
from the books is ever passed to git as an option: paths are fixed names after `--`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BOOKS_DIR = "ledgers"
CONTENT_DIR = "content"
_RECORD = "\x1e"
_FIELD = "\x1f"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_RAW = re.compile(r"^:(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) (\w+)\t(.+)$")


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    date: dt.datetime
    #: True when ledgers/ has changes not yet committed: the site shows more than the commit
    dirty: bool = False
    message: str = ""

    @property
    def short(self) -> str:
        return self.sha[:7]


@dataclass
class FileChange:
    """What one commit did to one file, from `git log -p -U0`."""

    path: str
    old_blob: str | None
    new_blob: str | None
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    #: the header line before and after, when the commit touched line 1
    old_header: str | None = None
    new_header: str | None = None


@dataclass
class CommitChanges:
    commit: CommitInfo | None  # None: the working tree's uncommitted changes
    files: dict[str, FileChange]


class BooksRepository:
    """A cooperative's git repository, or the reason there is none."""

    def __init__(self, repo, root: Path, reason: str | None = None) -> None:
        self.repo = repo
        self.root = root
        self.reason = reason

    @classmethod
    def open(cls, root: Path | str) -> BooksRepository:
        root = Path(root)
        try:
            import git  # GitPython raises ImportError when no git executable is found

            repo = git.Repo(root, search_parent_directories=True)
            repo.head.commit  # noqa: B018 - raises on a repository without commits
        except ImportError:
            return cls(None, root, "git is not installed on this machine")
        except Exception as error:  # noqa: BLE001 - any failure: no history, the site still builds
            name = type(error).__name__
            if name in ("InvalidGitRepositoryError", "NoSuchPathError"):
                return cls(None, root, "the books are not in a git repository")
            if name == "ValueError":
                return cls(None, root, "the git repository has no commit yet")
            return cls(None, root, f"git could not read the repository ({name})")
        return cls(repo, root)

    @property
    def available(self) -> bool:
        return self.repo is not None

    def close(self) -> None:
        if self.repo is not None:
            self.repo.close()

    def _prefix(self) -> str:
        """The cooperative's directory relative to the repository's top ('' at the top)."""
        top = Path(self.repo.working_tree_dir).resolve()
        relative = self.root.resolve().relative_to(top).as_posix()
        return "" if relative == "." else relative + "/"

    def _git(self, *args: str) -> str:
        # quotePath off: file names with accents come out as they are, not as octal escapes.
        output = self.repo.git.execute(["git", "-c", "core.quotePath=false", *args], stdout_as_string=False)
        return output.decode("utf-8", "replace")

    @property
    def shallow(self) -> bool:
        try:
            return self._git("rev-parse", "--is-shallow-repository").strip() == "true"
        except Exception:  # noqa: BLE001
            return False

    def head(self) -> CommitInfo | None:
        if self.repo is None:
            return None
        try:
            commit = self.repo.head.commit
            dirty = self.repo.is_dirty(untracked_files=True, path=self._prefix() + BOOKS_DIR)
            return CommitInfo(commit.hexsha, commit.committed_datetime, dirty, commit.summary)
        except Exception:  # noqa: BLE001
            return None

    def blob(self, sha: str) -> bytes:
        return self.repo.odb.stream(bytes.fromhex(sha)).read()

    def book_changes(self) -> Iterator[CommitChanges]:
        """Every commit that touched ledgers/, oldest first (first parents only), then the
        working tree's uncommitted changes; paths relative to the cooperative's directory."""
        prefix = self._prefix()
        books = prefix + BOOKS_DIR + "/"
        log = self._git(
            "log", "--reverse", "--first-parent", "--diff-merges=first-parent", "-p", "-U0",
            "--raw", "--no-abbrev", "--no-color", "--no-renames", "--no-ext-diff",
            "--src-prefix=a/", "--dst-prefix=b/",  # whatever diff.noprefix says
            f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s", "--", books,
        )
        for record in log.split(_RECORD)[1:]:
            header, _, body = record.partition("\n")
            sha, date, message = (header.split(_FIELD) + ["", ""])[:3]
            commit = CommitInfo(sha, dt.datetime.fromisoformat(date), False, message)
            yield CommitChanges(commit, _parse_patch(body, prefix))
        worktree = self._git(
            "diff", "-p", "-U0", "--raw", "--no-abbrev", "--no-color", "--no-renames", "--no-ext-diff",
            "--src-prefix=a/", "--dst-prefix=b/", "HEAD", "--", books,
        )
        files = _parse_patch(worktree, prefix)
        untracked = self._git("ls-files", "--others", "--exclude-standard", "--", books)
        for path in untracked.splitlines():
            relative = path[len(prefix):]
            try:
                lines = (self.root / relative).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            files[relative] = FileChange(relative, None, None, [], lines[1:], None, lines[0] if lines else None)
        if files:
            yield CommitChanges(None, files)

    def web_url(self) -> str | None:
        """The https address of the `origin` remote (where its history can be browsed), if any."""
        try:
            url = self.repo.remotes.origin.url
        except (AttributeError, IndexError, ValueError):
            return None
        if not url.startswith("https://"):
            return None
        return url.removesuffix(".git").rstrip("/")

    def ever_contained(self, path: str, pattern: str) -> bool:
        """Whether any commit added or removed a line of `path` matching the regex `pattern`."""
        found = self._git("log", "-1", "--format=%H", f"-G{pattern}", "--", self._prefix() + path)
        return bool(found.strip())

    def last_changes(self, directory: str = CONTENT_DIR) -> dict[str, CommitInfo]:
        """For each file under `directory`, the last commit that changed it."""
        prefix = self._prefix()
        log = self._git(
            "log", "--first-parent", "--name-only", "--no-renames", f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s",
            "--", prefix + directory + "/",
        )
        found: dict[str, CommitInfo] = {}
        for record in log.split(_RECORD)[1:]:
            header, _, names = record.partition("\n")
            sha, date, message = (header.split(_FIELD) + ["", ""])[:3]
            for name in names.split("\n"):
                name = name.strip()
                if name and name.startswith(prefix):
                    found.setdefault(name[len(prefix):], CommitInfo(sha, dt.datetime.fromisoformat(date), False, message))
        return found


def _parse_patch(text: str, prefix: str) -> dict[str, FileChange]:
    """The raw lines and unified diff of one commit, per file."""
    files: dict[str, FileChange] = {}
    current: FileChange | None = None
    old_line = new_line = 0
    for line in text.split("\n"):
        raw = _RAW.match(line)
        if raw:
            path = raw.group(6)[len(prefix):]
            old_blob = None if set(raw.group(3)) == {"0"} else raw.group(3)
            new_blob = None if set(raw.group(4)) == {"0"} else raw.group(4)
            files[path] = FileChange(path, old_blob, new_blob)
            continue
        if line.startswith("diff --git "):
            current = None
            continue
        if line.startswith("+++ "):
            name = line[4:].strip()
            if name != "/dev/null":
                current = files.get(name[2:][len(prefix):])
            continue
        if line.startswith("--- "):
            name = line[4:].strip()
            if name != "/dev/null":
                current = files.get(name[2:][len(prefix):])
            continue
        hunk = _HUNK.match(line)
        if hunk:
            old_line, new_line = int(hunk.group(1)), int(hunk.group(3))
            continue
        if current is None or not line or line.startswith("\\"):
            continue
        content = line[1:].rstrip("\r")
        if line[0] == "-":
            if old_line == 1:
                current.old_header = content.lstrip("\ufeff")
            else:
                current.removed.append(content)
            old_line += 1
        elif line[0] == "+":
            if new_line == 1:
                current.new_header = content.lstrip("\ufeff")
            else:
                current.added.append(content)
            new_line += 1
    return files


def head_commit(root: Path, books_dir: str = BOOKS_DIR) -> CommitInfo | None:
    """The commit the books are at, or None when it cannot be established."""
    repository = BooksRepository.open(root)
    try:
        return repository.head()
    finally:
        repository.close()
