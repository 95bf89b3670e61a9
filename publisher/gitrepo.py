"""The one module that talks to git (through GitPython).

The cooperative's repository is opened once (`BooksRepository.open`). Every git failure becomes
a clear fallback: outside a repository, with git missing, on a broken or shallow repository,
the functions here say what they could not establish instead of failing the build. No string
from the books is ever passed to git as an option: paths are fixed names after `--`.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from publisher.i18n import N_, LaterMessage, _, english, later

BOOKS_DIR = "ledgers"
CONTENT_DIR = "content"
_RECORD = "\x1e"
_FIELD = "\x1f"
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_RAW = re.compile(r":(\d+) (\d+) ([0-9a-f]+) ([0-9a-f]+) (\w+)")
#: Where a commit's record starts: its sha, so that a subject holding the separator cannot split it.
_COMMIT_START = re.compile(_RECORD + r"(?=[0-9a-f]{40}" + _FIELD + ")")
#: Where a file's section of a patch starts (a content line always starts with " ", "+" or "-").
_SECTION = re.compile(r"(?m)^(?=diff --git )")


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
        output = self.repo.git.execute(
            ["git", "-c", "core.quotePath=false", *args], stdout_as_string=False
        )
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

    def book_changes(self, until: str | None = None) -> Iterator[CommitChanges]:
        """Every commit that touched ledgers/, oldest first (first parents only), then the
        working tree's uncommitted changes; paths relative to the cooperative's directory.
        With `until` (a full commit sha), the commits up to that one and no working tree."""
        prefix = self._prefix()
        books = prefix + BOOKS_DIR + "/"
        if until is not None and not _FULL_COMMIT.fullmatch(until):
            raise RevisionError(_('"{until}" is not a full commit sha.').format(until=until))
        # -z: the raw part names each file exactly (NUL-terminated, never quoted), whatever
        # characters its name holds; the patch part follows in the same order.
        log = self._git(
            "log",
            "--reverse",
            "--first-parent",
            "--diff-merges=first-parent",
            "-p",
            "-U0",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-color",
            "--no-renames",
            "--no-ext-diff",
            "--src-prefix=a/",
            "--dst-prefix=b/",  # whatever diff.noprefix says
            f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s",
            *([until] if until else []),
            "--",
            books,
        )
        for record in _COMMIT_START.split(log)[1:]:
            header, _nul, body = record.partition("\0")
            sha, date, message = (header.split(_FIELD, 2) + ["", ""])[:3]
            commit = CommitInfo(sha, dt.datetime.fromisoformat(date), False, message)
            yield CommitChanges(commit, _parse_patch(body.removeprefix("\n"), prefix))
        if until is not None:
            return
        worktree = self._git(
            "diff",
            "-p",
            "-U0",
            "--raw",
            "-z",
            "--no-abbrev",
            "--no-color",
            "--no-renames",
            "--no-ext-diff",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "HEAD",
            "--",
            books,
        )
        files = _parse_patch(worktree, prefix)
        untracked = self._git("ls-files", "-z", "--others", "--exclude-standard", "--", books)
        for path in untracked.split("\0"):
            if not path:
                continue
            relative = path[len(prefix) :]
            if any(p.is_symlink() for p in _prefixes(self.root, relative)):
                continue  # never followed: the checks report it (file-symlink)
            if relative.endswith((".ods", ".xlsx")):
                # A workbook has no lines: its rows are read from the file itself.
                files[relative] = FileChange(relative, None, None)
                continue
            try:
                lines = (self.root / relative).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            files[relative] = FileChange(
                relative, None, None, [], lines[1:], None, lines[0] if lines else None
            )
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
            "log",
            "--first-parent",
            "--name-only",
            "-z",
            "--no-renames",
            f"--format={_RECORD}%H{_FIELD}%cI{_FIELD}%s",
            "--",
            prefix + directory + "/",
        )
        found: dict[str, CommitInfo] = {}
        for record in _COMMIT_START.split(log)[1:]:
            header, _, names = record.partition("\0")
            sha, date, message = (header.split(_FIELD, 2) + ["", ""])[:3]
            for name in names.removeprefix("\n").split("\0"):
                if name and name.startswith(prefix):
                    found.setdefault(
                        name[len(prefix) :],
                        CommitInfo(sha, dt.datetime.fromisoformat(date), False, message),
                    )
        return found


def _prefixes(root: Path, relative: str) -> list[Path]:
    """root/a, root/a/b, root/a/b/c for relative a/b/c."""
    parts = Path(relative).parts
    return [root.joinpath(*parts[: index + 1]) for index in range(len(parts))]


def _parse_patch(text: str, prefix: str) -> dict[str, FileChange]:
    """The raw entries and unified diff of one commit (`--raw -z -p` output), per file.

    The raw entries come first (`:modes blobs status NUL path NUL`), then one `diff --git`
    section per entry, in the same order: the sections are matched to the entries by position,
    so the quoted names in the patch headers are never parsed."""
    files: list[FileChange | None] = []  # None: an entry outside the cooperative, kept in place
    position = 0
    while text.startswith(":", position):
        meta_end = text.find("\0", position)
        path_end = text.find("\0", meta_end + 1)
        if meta_end < 0 or path_end < 0:
            break
        raw = _RAW.match(text, position, meta_end)
        path = text[meta_end + 1 : path_end]
        position = path_end + 1
        if raw is None or not path.startswith(prefix):
            files.append(None)
            continue
        old_blob = None if set(raw.group(3)) == {"0"} else raw.group(3)
        new_blob = None if set(raw.group(4)) == {"0"} else raw.group(4)
        files.append(FileChange(path[len(prefix) :], old_blob, new_blob))
    patch = text[position:].lstrip("\0")
    sections = [s for s in _SECTION.split(patch) if s.startswith("diff --git ")]
    for change, section in zip(files, sections):
        if change is not None:
            _read_hunks(section, change)
    return {change.path: change for change in files if change is not None}


def _read_hunks(section: str, change: FileChange) -> None:
    """The removed and added lines of one file's section of a unified diff (-U0)."""
    old_line = new_line = 0
    in_hunks = False  # before the first @@, lines are headers (---, +++, index, modes)
    for line in section.split("\n"):
        hunk = _HUNK.match(line)
        if hunk:
            old_line, new_line = int(hunk.group(1)), int(hunk.group(3))
            in_hunks = True
            continue
        if not in_hunks or not line or line.startswith("\\"):
            continue
        content = line[1:].rstrip("\r")
        if line[0] == "-":
            if old_line == 1:
                change.old_header = content.lstrip("\ufeff")
            else:
                change.removed.append(content)
            old_line += 1
        elif line[0] == "+":
            if new_line == 1:
                change.new_header = content.lstrip("\ufeff")
            else:
                change.added.append(content)
            new_line += 1


def top_commit(root: Path) -> str | None:
    """HEAD's commit when `root` is the top of a git repository (not a folder inside one)."""
    repository = BooksRepository.open(root)
    try:
        if not repository.available or repository._prefix():
            return None
        return repository.repo.head.commit.hexsha
    except Exception:  # noqa: BLE001
        return None
    finally:
        repository.close()


def head_commit(root: Path) -> CommitInfo | None:
    """The commit the books are at, or None when it cannot be established."""
    repository = BooksRepository.open(root)
    try:
        return repository.head()
    finally:
        repository.close()


# -- Members of a federation: untrusted repositories ------------------------------------------

_FULL_COMMIT = re.compile(r"[0-9a-f]{40}")
_REF_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")
_TREE = 0o040000
_SYMLINK = 0o120000
_SUBMODULE = 0o160000


class MemberFetchError(Exception):
    """A member could not be read; `status` is "unreachable" or "invalid"."""

    def __init__(self, status: Literal["unreachable", "invalid"], message: LaterMessage) -> None:
        super().__init__(english(message))
        self.status = status
        #: why, to be written in the language of the run that shows it
        self.message = message


@dataclass(frozen=True)
class FetchedMember:
    commit: str
    date: str  # ISO 8601, of the commit
    directory: Path  # ledgers/ and content/ (and federation.yml) written from git objects


def valid_ref(ref: str) -> bool:
    """A branch or tag name (git's rules, stricter) or a full commit; never an option."""
    if _FULL_COMMIT.fullmatch(ref) or ref == "HEAD":
        return True
    if ref.startswith("-") or ref.endswith((".lock", "/", ".")) or ".." in ref or "@{" in ref:
        return False
    return all(_REF_COMPONENT.fullmatch(part) for part in ref.split("/"))


def _member_env() -> dict[str, str]:
    """No prompts, no helpers that run commands, no large-file filters, https and local only."""
    return {
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_ASKPASS": "echo",
        "SSH_ASKPASS": "echo",
        "GCM_INTERACTIVE": "never",
        "GIT_LFS_SKIP_SMUDGE": "1",
        "GIT_ALLOW_PROTOCOL": "https:file",
        "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
    }


_MEMBER_CONFIG = [
    "-c",
    "protocol.allow=never",
    "-c",
    "protocol.https.allow=always",
    "-c",
    "protocol.file.allow=always",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "credential.helper=",
    "-c",
    "submodule.recurse=false",
    "-c",
    "fetch.recurseSubmodules=false",
    "-c",
    "core.quotePath=false",
]


def _run_with_deadline(command: list[str], cwd: Path, timeout: float) -> None:
    """Run git for a member, killed with everything it started (git-remote-https) once
    `timeout` seconds have passed. MemberFetchError("unreachable") when it fails or is killed."""
    if timeout <= 0:
        raise MemberFetchError(
            "unreachable",
            later(N_("the federation's time limit had passed before it could be fetched")),
        )
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env={**os.environ, **_member_env()},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so that the kill reaches its children
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.communicate()
        raise MemberFetchError(
            "unreachable",
            later(
                N_(
                    "it did not answer within {seconds:.0f} seconds (the time limit for "
                    "fetching it)"
                ),
                seconds=timeout,
            ),
        ) from None
    if process.returncode != 0:
        lines = stderr.decode("utf-8", "replace").strip().splitlines() or ["git fetch failed"]
        last = lines[-1].strip().strip("'").removeprefix("stderr: ")
        seconds = time.monotonic() - started
        raise MemberFetchError(
            "unreachable",
            later(
                N_("git could not fetch it ({git_said}; after {seconds:.0f} s)"),
                git_said=last[:200],
                seconds=seconds,
            ),
        )


def fetch_member(
    url: str,
    ref: str,
    repository_dir: Path,
    trees_dir: Path,
    base: Path,
    allowed: tuple[str, ...],
    max_file: int,
    max_total: int,
    timeout: float,
) -> FetchedMember:
    """Fetch `ref` of a member's repository into a bare cache and write the allowed files of
    its tree into `trees_dir/<commit>`, reading git objects only (nothing is checked out)."""
    import git

    if url.startswith("https://"):
        source = url
    else:
        local = (base / url).resolve()
        if not local.is_dir():
            raise MemberFetchError(
                "unreachable", later(N_("the repository {url} does not exist"), url=url)
            )
        source = str(local)
    if not valid_ref(ref):
        raise MemberFetchError(
            "invalid", later(N_('the ref "{ref}" is not a branch, tag or full commit'), ref=ref)
        )
    repository_dir.mkdir(parents=True, exist_ok=True)
    cache = git.Repo.init(repository_dir, bare=True)
    try:
        if _FULL_COMMIT.fullmatch(ref):
            refspecs = ["+refs/heads/*:refs/member/heads/*", "+refs/tags/*:refs/member/tags/*"]
        else:
            refspecs = [f"+{ref}:refs/member/target"]
        _run_with_deadline(
            [
                "git",
                *_MEMBER_CONFIG,
                "fetch",
                "--no-tags",
                "--no-recurse-submodules",
                "--force",
                "--quiet",
                "--",
                source,
                *refspecs,
            ],
            repository_dir,
            timeout,
        )
        target = ref if _FULL_COMMIT.fullmatch(ref) else "refs/member/target"
        try:
            commit = cache.commit(target)
        except (git.BadName, ValueError):
            raise MemberFetchError(
                "unreachable", later(N_('the repository has no commit "{ref}"'), ref=ref)
            ) from None
        sha = commit.hexsha
        directory = trees_dir / sha
        if not (directory / ".complete").is_file():
            if trees_dir.exists():
                shutil.rmtree(trees_dir)
            try:
                _write_tree(commit.tree, directory, allowed, max_file, max_total)
            except (OSError, ValueError, UnicodeError) as error:
                # A name the file system refuses (too long, a blob and a tree of one name…):
                # the member is invalid, never the build.
                shutil.rmtree(directory, ignore_errors=True)
                what = getattr(error, "strerror", None) or type(error).__name__
                raise MemberFetchError(
                    "invalid",
                    later(
                        N_("its tree cannot be written as files ({system_said})"), system_said=what
                    ),
                ) from None
            _attach_history(directory, repository_dir, sha)
            (directory / ".complete").write_text(sha, encoding="utf-8")
        return FetchedMember(sha, commit.committed_datetime.isoformat(), directory)
    finally:
        cache.close()


def _attach_history(directory: Path, objects_from: Path, sha: str) -> None:
    """Make the written tree a repository at `sha` that borrows the cache's objects, so that the
    member's history (closed periods, provenance) is checked like a single cooperative's. The
    files are the ones written from git objects; nothing is checked out."""
    import git

    # An empty template: no sample hooks, nothing but what is needed.
    git.Git().execute(["git", "init", "--quiet", "--template=", str(directory)], env=_member_env())
    repo = git.Repo(directory)
    try:
        alternates = Path(repo.git_dir) / "objects" / "info" / "alternates"
        alternates.parent.mkdir(parents=True, exist_ok=True)
        alternates.write_text(str((objects_from / "objects").resolve()) + "\n", encoding="utf-8")
        repo.git.execute(["git", *_MEMBER_CONFIG, "update-ref", "HEAD", sha], env=_member_env())
        # The index must match HEAD, or every file would look changed.
        repo.git.execute(["git", *_MEMBER_CONFIG, "read-tree", "HEAD"], env=_member_env())
    finally:
        repo.close()


#: Longest name a member's file or folder may have, in bytes (most file systems allow 255).
MAX_NAME_BYTES = 200
#: Longest path below a member's directory, in bytes.
MAX_PATH_BYTES = 1000


def _unsafe_name(name: str) -> LaterMessage | None:
    """Why one entry name of a member's tree is refused (its field `path` left to fill), or "
    "None."""
    if name in ("", ".", "..") or "/" in name or "\\" in name:
        return later(N_("its tree holds a name that is empty, . or .., or holds a slash ({path})"))
    if name.lower().rstrip(". ") == ".git" or name.lower().startswith("git~"):
        return later(N_("its tree holds a folder named .git ({path})"))
    if any(ord(char) < 32 or ord(char) == 127 for char in name):
        return later(N_("its tree holds a name with a control character ({path})"))
    try:
        name.encode("utf-8")  # GitPython keeps bytes that are not UTF-8 as lone surrogates
    except UnicodeEncodeError:
        return later(N_("its tree holds a name that is not UTF-8 text ({path})"))
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return later(
            N_("its tree holds a name longer than {max_bytes} bytes ({path})"),
            max_bytes=MAX_NAME_BYTES,
        )
    return None


def _checked_entries(tree, path: str) -> list:
    """The entries of one tree, once each name is known to be safe to write as a file."""
    entries = list(tree)
    seen: set[str] = set()
    for item in entries:
        name = item.path.rsplit("/", 1)[-1]  # GitPython cannot name a submodule entry
        where = f"{path}/{name}" if path else name
        reason = _unsafe_name(name)
        if reason is None and name.casefold() in seen:
            reason = later(
                N_(
                    "its tree holds two entries of the same name (such as a file and a folder) "
                    "({path})"
                )
            )
        if reason is None and len(where.encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
            reason = later(
                N_("its tree holds a path longer than {max_bytes} bytes ({path})"),
                max_bytes=MAX_PATH_BYTES,
            )
        if reason is not None:
            reason["fields"]["path"] = where.encode("unicode_escape").decode("ascii")[:120]
            raise MemberFetchError("invalid", reason)
        seen.add(name.casefold())
    return entries


def _write_tree(
    tree, directory: Path, allowed: tuple[str, ...], max_file: int, max_total: int
) -> None:
    """Write the allowed top-level entries of a git tree; refuse links, submodules, big files."""
    directory.mkdir(parents=True)
    total = 0
    # Entries are named by their path in the tree: GitPython cannot name a submodule entry.
    top = [item for item in tree if item.path in allowed]  # the other entries are never read
    if len({item.path for item in top}) < len(top):
        raise MemberFetchError(
            "invalid", later(N_("its tree holds two entries of the same name at its top"))
        )
    pending = [(item, item.path) for item in top]
    while pending:
        item, path = pending.pop()
        mode = item.mode
        if mode == _SYMLINK:
            raise MemberFetchError(
                "invalid",
                later(N_("{path} is a symbolic link; members may not hold links"), path=path),
            )
        if mode == _SUBMODULE:
            raise MemberFetchError(
                "invalid",
                later(N_("{path} is a submodule; members may not hold submodules"), path=path),
            )
        if mode == _TREE:
            pending.extend((child, child.path) for child in _checked_entries(item, path))
            continue
        size = item.size
        total += size
        if size > max_file:
            raise MemberFetchError(
                "invalid",
                later(
                    N_("{path} is larger than {max_bytes:,} bytes"), path=path, max_bytes=max_file
                ),
            )
        if total > max_total:
            raise MemberFetchError(
                "invalid",
                later(
                    N_("its ledgers and pages hold more than {max_bytes:,} bytes"),
                    max_bytes=max_total,
                ),
            )
        target = directory.joinpath(*path.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.data_stream.read())


# -- Reading the books at a revision (publisher diff) ------------------------------------------

#: What a revision may look like: branch and tag names, shas, `HEAD^1`, `main~2`,
#: `origin/main`, `main@{1}`. Never an option (a leading "-"), a range (".."), a path
#: (`rev:path`), whitespace or a control character.
_REVISION = re.compile(r"[A-Za-z0-9_@][A-Za-z0-9_@./{}^~+-]{0,254}")
#: Git file modes of what is written out: regular and executable files. Symlinks and
#: submodules (gitlinks) are skipped, so a revision can never point a file outside the directory.
_FILE_MODES = (0o100644, 0o100755)
#: A file larger than the publisher reads is cut one byte past this, so the checks still say so.
MAX_EXPORTED_BYTES = (256 << 20) + 1


class GitError(Exception):
    """Git could not do what was asked (the message says why, in words for a treasurer)."""


class RevisionError(GitError):
    """A revision that is not a valid name or not a commit of the repository (message says "
    "which)."""


def valid_revision_name(revision: str) -> bool:
    """Whether `revision` may be handed to git as a revision (never as an option or a range)."""
    return (
        bool(_REVISION.fullmatch(revision))
        and ".." not in revision
        and not revision.endswith((".", "/", ".lock"))
    )


def _resolve(repository: BooksRepository, revision: str) -> CommitInfo:
    if not valid_revision_name(revision):
        raise RevisionError(
            _(
                '"{revision}" is not a revision name: give a branch, a tag or a commit '
                "(such as main, v1.0, HEAD~1 or a commit's sha)."
            ).format(revision=revision)
        )
    try:
        sha = repository._git(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
        ).strip()
        commit = repository.repo.commit(sha)
    except Exception:  # noqa: BLE001 - git says only that it is not there
        raise RevisionError(
            _(
                '"{revision}" is not a commit of the git repository of {root}: check the '
                "spelling, and that the branch was fetched (a CI checkout needs fetch-depth: 0)."
            ).format(revision=revision, root=repository.root)
        ) from None
    return CommitInfo(commit.hexsha, commit.committed_datetime, False, commit.summary)


def export_revision(
    root: Path | str,
    revision: str,
    target: Path | str,
    paths: tuple[str, ...] = (BOOKS_DIR, CONTENT_DIR),
) -> CommitInfo:
    """Write the files under `paths` (relative to the cooperative's directory `root`) as they
    are at `revision` into the directory `target`; returns the commit. Blobs are read through
    GitPython; only regular files are written, never symlinks or submodules. Raises
    RevisionError when the revision is not valid or there is no repository."""
    repository = BooksRepository.open(root)
    if not repository.available:
        raise RevisionError(_("cannot read revisions: {reason}.").format(reason=repository.reason))
    try:
        info = _resolve(repository, revision)
        tree = repository.repo.commit(info.sha).tree
        prefix = repository._prefix()
        target = Path(target)
        for path in paths:
            try:
                item = tree / (prefix + path)
            except KeyError:
                continue  # not there at that revision
            _write_item(item, target, path)
        return info
    finally:
        repository.close()


def _write_item(item, target: Path, relative: str) -> None:
    parts = relative.split("/")
    # A backslash is an ordinary character of a POSIX file name, but a separator on Windows.
    unsafe = ("\x00", "\\") if os.name == "nt" else ("\x00",)
    if any(part in ("", ".", "..", ".git") or any(u in part for u in unsafe) for part in parts):
        return
    if item.type == "tree":
        for child in item:
            _write_item(child, target, f"{relative}/{child.name}")
    elif item.type == "blob" and item.mode in _FILE_MODES:
        path = target.joinpath(*parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        stream = item.data_stream
        with path.open("wb") as out:
            remaining = MAX_EXPORTED_BYTES
            while remaining > 0:
                chunk = stream.read(min(remaining, 1 << 20))
                if not chunk:
                    break
                out.write(chunk)
                remaining -= len(chunk)


def init_repository(root: Path | str) -> None:
    """`git init` a new cooperative's directory (its first branch named main). Raises GitError
    when git is missing or fails."""
    try:
        import git

        git.Repo.init(Path(root), initial_branch="main")
    except Exception as error:  # noqa: BLE001
        raise GitError(f"git init failed: {type(error).__name__}: {error}") from None
