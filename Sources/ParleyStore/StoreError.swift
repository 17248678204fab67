internal import CLMDB
#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// A failure of the storage layer, with an open code so that cases can be added.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case notFound, permissionDenied, readOnlyFileSystem, notADataDirectory, mapFull, readersFull, corrupted, io, other
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The path does not exist.
        public static let notFound = Code(.notFound)
        /// The user may not read or write the path.
        public static let permissionDenied = Code(.permissionDenied)
        /// The path is on a file system mounted read-only (a write was asked).
        public static let readOnlyFileSystem = Code(.readOnlyFileSystem)
        /// The path holds something that is not an LMDB environment.
        public static let notADataDirectory = Code(.notADataDirectory)
        /// The map could not grow any further.
        public static let mapFull = Code(.mapFull)
        /// Too many concurrent readers.
        public static let readersFull = Code(.readersFull)
        /// The data file is damaged.
        public static let corrupted = Code(.corrupted)
        /// The operating system reported an I/O error.
        public static let io = Code(.io)
        /// Anything else LMDB reported.
        public static let other = Code(.other)

        public var description: String { "\(base)" }
    }

    /// The kind of failure.
    public var code: Code
    /// What failed, naming the path or operation at fault.
    public var message: String
    /// LMDB's or the system's error number.
    public var status: Int32

    public init(code: Code, message: String, status: Int32 = 0) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// An error for LMDB status `rc` returned by `operation`.
    init(status rc: Int32, operation: String) {
        let text = String(cString: mdb_strerror(rc))
        let code: Code
        switch rc {
        case ENOENT: code = .notFound
        case EACCES, EPERM: code = .permissionDenied
        case EROFS: code = .readOnlyFileSystem
        case MDB_INVALID, MDB_VERSION_MISMATCH: code = .notADataDirectory
        case MDB_MAP_FULL: code = .mapFull
        case MDB_READERS_FULL: code = .readersFull
        case MDB_CORRUPTED, MDB_PAGE_NOTFOUND: code = .corrupted
        case EIO, ENOSPC: code = .io
        default: code = .other
        }
        self.init(code: code, message: "\(operation): \(text)", status: rc)
    }

    public var description: String { message }
}

/// Throws a ``StoreError`` when `rc` is not `MDB_SUCCESS`.
@inline(__always)
func check(_ rc: Int32, _ operation: @autoclosure () -> String) throws(StoreError) {
    if rc != 0 { throw StoreError(status: rc, operation: operation()) }
}
