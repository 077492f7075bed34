// A Node system error (fs, net) in words: "permission denied" rather than EACCES, for one-line error messages.

const words: Readonly<Record<string, string>> = {
	EACCES: 'permission denied',
	EPERM: 'operation not permitted',
	ENOENT: 'no such file or directory',
	ENOTDIR: 'a part of the path is not a directory',
	EISDIR: 'it is a directory',
	EROFS: 'read-only file system',
	ENOSPC: 'no space left on device',
	EDQUOT: 'disk quota exceeded',
	EEXIST: 'it already exists',
	EMFILE: 'too many open files',
	ENAMETOOLONG: 'the name is too long',
	ELOOP: 'too many levels of symbolic links',
	EINVAL: 'invalid argument',
	EIO: 'input/output error',
	EXDEV: 'it is on another file system',
};

/** What went wrong, in words: the known code's text, else the text Node gives ("ENOENT: no such file…"), else the code. */
export function systemErrorText(error: unknown): string {
	const {code, message} = (error ?? {}) as {code?: unknown; message?: unknown};
	if (typeof code === 'string' && words[code] !== undefined) {
		return words[code];
	}

	if (typeof message === 'string') {
		const described = /^[A-Z]+: ([^,]+)/.exec(message)?.[1];
		if (described !== undefined) {
			return described;
		}
	}

	return typeof code === 'string' ? code : 'unknown error';
}
