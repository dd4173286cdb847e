//! A reader of the subset of MATLAB's Level 5 MAT-file format (v5, v6, v7) that MRIO tables
//! need: numeric arrays of every class (read as `f64`), character arrays, cell arrays, structs,
//! and `miCOMPRESSED` (zlib) elements. Sparse arrays and objects are recognised and skipped.
//! Version 7.3 files are HDF5 and are refused with a message saying so.
//!
//! Layout (MathWorks, "MAT-File Format"): a 128-byte header (text, subsystem offset, version,
//! endian indicator `IM`/`MI`), then data elements, each an 8-byte tag (type, byte count) or a
//! 4-byte small tag, padded to 8 bytes. An array is a `miMATRIX` element holding array flags,
//! dimensions, a name, and then its data.

use std::io::Read;
use std::path::Path;

use crate::{IoError, Location};

const MI_INT8: u32 = 1;
const MI_UINT8: u32 = 2;
const MI_INT16: u32 = 3;
const MI_UINT16: u32 = 4;
const MI_INT32: u32 = 5;
const MI_UINT32: u32 = 6;
const MI_SINGLE: u32 = 7;
const MI_DOUBLE: u32 = 9;
const MI_INT64: u32 = 12;
const MI_UINT64: u32 = 13;
const MI_MATRIX: u32 = 14;
const MI_COMPRESSED: u32 = 15;
const MI_UTF8: u32 = 16;
const MI_UTF16: u32 = 17;

const CLASS_CELL: u32 = 1;
const CLASS_STRUCT: u32 = 2;
const CLASS_CHAR: u32 = 4;

/// One value of a MAT file.
#[derive(Debug, Clone, PartialEq)]
pub enum MatValue {
    /// A numeric or logical array of any class, converted to `f64`, column-major.
    Numeric {
        /// Dimensions, e.g. `[rows, cols]`.
        dims: Vec<usize>,
        /// The real part, column-major.
        data: Vec<f64>,
    },
    /// A character array, as text (rows concatenated).
    Char(String),
    /// A struct array: field names, and per element the value of each field.
    Struct {
        /// Dimensions of the struct array (`[1, 1]` for a scalar struct).
        dims: Vec<usize>,
        /// Field names.
        fields: Vec<String>,
        /// Per element (column-major), per field, its value.
        elements: Vec<Vec<MatValue>>,
    },
    /// A cell array.
    Cell {
        /// Dimensions.
        dims: Vec<usize>,
        /// Items, column-major.
        items: Vec<MatValue>,
    },
    /// A class this reader skips (sparse, object, function handle …), by MATLAB class code.
    Unsupported(u32),
}

impl MatValue {
    /// The field `name` of a scalar struct.
    pub fn field(&self, name: &str) -> Option<&MatValue> {
        match self {
            MatValue::Struct {
                fields, elements, ..
            } => {
                let k = fields.iter().position(|f| f == name)?;
                elements.first().map(|e| &e[k])
            }
            _ => None,
        }
    }

    /// A short description for error messages (`"double 84×84"`, `"struct"`).
    pub fn describe(&self) -> String {
        let dims = |d: &[usize]| d.iter().map(usize::to_string).collect::<Vec<_>>().join("×");
        match self {
            MatValue::Numeric { dims: d, .. } => format!("numeric {}", dims(d)),
            MatValue::Char(_) => "char".to_owned(),
            MatValue::Struct { dims: d, .. } => format!("struct {}", dims(d)),
            MatValue::Cell { dims: d, .. } => format!("cell {}", dims(d)),
            MatValue::Unsupported(class) => format!("unsupported class {class}"),
        }
    }
}

/// A named top-level variable.
#[derive(Debug, Clone, PartialEq)]
pub struct MatVariable {
    /// The variable name.
    pub name: String,
    /// Its value.
    pub value: MatValue,
}

/// Cursor over a byte buffer with the file's byte order.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
    /// Byte offset of `buf[0]` in the file (for messages; compressed data counts from its
    /// element).
    base: usize,
}

struct Fail(usize, String);

type R<T> = Result<T, Fail>;

impl<'a> Cursor<'a> {
    fn u32_at(&self, pos: usize) -> R<u32> {
        let bytes: [u8; 4] = self
            .buf
            .get(pos..pos + 4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| Fail(self.base + pos, "truncated data element tag".to_owned()))?;
        Ok(if self.big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    }

    /// Reads one data element: (type, data bytes). Advances past its padding.
    fn element(&mut self) -> R<(u32, &'a [u8])> {
        let first = self.u32_at(self.pos)?;
        let (dtype, len, start, next) = if first >> 16 != 0 {
            // Small data element: 2 bytes size, 2 bytes type, 4 bytes data.
            let len = (first >> 16) as usize;
            if len > 4 {
                return Err(Fail(
                    self.base + self.pos,
                    format!("small element of {len} bytes, at most 4 allowed"),
                ));
            }
            (first & 0xffff, len, self.pos + 4, self.pos + 8)
        } else {
            let len = self.u32_at(self.pos + 4)? as usize;
            let start = self.pos + 8;
            let padded = if first == MI_COMPRESSED {
                len
            } else {
                len.div_ceil(8) * 8
            };
            (first, len, start, start + padded)
        };
        let data = self.buf.get(start..start + len).ok_or_else(|| {
            Fail(
                self.base + self.pos,
                format!("element of type {dtype} claims {len} bytes, the file is shorter"),
            )
        })?;
        self.pos = next.min(self.buf.len());
        Ok((dtype, data))
    }

    fn at_end(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn sub(&self, data: &'a [u8]) -> Cursor<'a> {
        let offset = data.as_ptr() as usize - self.buf.as_ptr() as usize;
        Cursor {
            buf: data,
            pos: 0,
            big_endian: self.big_endian,
            base: self.base + offset,
        }
    }
}

fn numbers(dtype: u32, data: &[u8], big_endian: bool, offset: usize) -> R<Vec<f64>> {
    macro_rules! conv {
        ($t:ty, $n:expr) => {
            data.chunks_exact($n)
                .map(|c| {
                    let bytes: [u8; $n] = c.try_into().unwrap_or([0; $n]);
                    (if big_endian {
                        <$t>::from_be_bytes(bytes)
                    } else {
                        <$t>::from_le_bytes(bytes)
                    }) as f64
                })
                .collect()
        };
    }
    Ok(match dtype {
        MI_INT8 => data.iter().map(|&b| f64::from(b as i8)).collect(),
        MI_UINT8 => data.iter().map(|&b| f64::from(b)).collect(),
        MI_INT16 => conv!(i16, 2),
        MI_UINT16 => conv!(u16, 2),
        MI_INT32 => conv!(i32, 4),
        MI_UINT32 => conv!(u32, 4),
        MI_SINGLE => conv!(f32, 4),
        MI_DOUBLE => conv!(f64, 8),
        MI_INT64 => conv!(i64, 8),
        MI_UINT64 => conv!(u64, 8),
        other => {
            return Err(Fail(
                offset,
                format!("data type {other} where numbers were expected"),
            ));
        }
    })
}

fn to_usize(values: Vec<f64>) -> Vec<usize> {
    values.into_iter().map(|v| v.max(0.0) as usize).collect()
}

fn text(dtype: u32, data: &[u8], big_endian: bool) -> String {
    match dtype {
        MI_UTF16 | MI_UINT16 => {
            let units: Vec<u16> = data
                .chunks_exact(2)
                .map(|c| {
                    if big_endian {
                        u16::from_be_bytes([c[0], c[1]])
                    } else {
                        u16::from_le_bytes([c[0], c[1]])
                    }
                })
                .collect();
            String::from_utf16_lossy(&units)
        }
        MI_UTF8 | MI_UINT8 | MI_INT8 => String::from_utf8_lossy(data).into_owned(),
        _ => String::from_utf8_lossy(data).into_owned(),
    }
}

/// The deepest nesting of cells and structs read. MATLAB data (and the CEADS files) nest two
/// or three levels; each level costs a stack frame, so a hostile file of nested cells would
/// otherwise overflow the stack.
pub const MAX_NESTING_DEPTH: usize = 32;

/// The largest inflated size of one compressed (`miCOMPRESSED`) element read, in bytes,
/// unless the element declares less: the inflated stream is also cut at the size its own
/// `miMATRIX` tag declares, so a zlib bomb cannot inflate past either.
pub const MAX_INFLATED_BYTES: u64 = 16 << 30;

/// Parses the content of one `miMATRIX` element: returns its name and value. `depth` is the
/// nesting level (0 for a top-level variable).
fn matrix(c: &mut Cursor<'_>, depth: usize) -> R<(String, MatValue)> {
    if depth > MAX_NESTING_DEPTH {
        return Err(Fail(
            c.base + c.pos,
            format!(
                "cells/structs nested more than {MAX_NESTING_DEPTH} levels deep; expected \
                 plain MATLAB data"
            ),
        ));
    }
    if c.at_end() {
        // An empty miMATRIX (e.g. an empty struct field).
        return Ok((
            String::new(),
            MatValue::Numeric {
                dims: vec![0, 0],
                data: Vec::new(),
            },
        ));
    }
    let (_, flags) = c.element()?;
    let flags = numbers(MI_UINT32, flags, c.big_endian, c.base)?;
    let flags = flags.first().copied().unwrap_or(0.0) as u32;
    let class = flags & 0xff;
    let complex = flags & 0x0800 != 0;
    let (dt, dims) = c.element()?;
    let dims = to_usize(numbers(dt, dims, c.big_endian, c.base)?);
    let (_, name) = c.element()?;
    let name = String::from_utf8_lossy(name).into_owned();
    let dims_offset = c.base + c.pos;
    let count = dims
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| {
            Fail(
                dims_offset,
                format!("array {name:?}: dimensions {dims:?} overflow the element count"),
            )
        })?;
    // Every cell item or struct element takes at least one 8-byte tag in the bytes left, so
    // a count beyond that is a lie of the header; refuse it before reserving memory for it.
    let room = (c.buf.len() - c.pos.min(c.buf.len())) / 8;
    let value = match class {
        CLASS_STRUCT => {
            let (dt, len) = c.element()?;
            let len = numbers(dt, len, c.big_endian, c.base)?
                .first()
                .copied()
                .unwrap_or(0.0) as usize;
            let (_, names) = c.element()?;
            let fields: Vec<String> = if len == 0 {
                Vec::new()
            } else {
                names
                    .chunks(len)
                    .map(|chunk| {
                        let end = chunk.iter().position(|&b| b == 0).unwrap_or(chunk.len());
                        String::from_utf8_lossy(&chunk[..end]).into_owned()
                    })
                    .collect()
            };
            if count.saturating_mul(fields.len().max(1)) > room && !fields.is_empty() {
                return Err(Fail(
                    dims_offset,
                    format!(
                        "struct {name:?} declares {count} elements of {} fields, but only {} \
                         bytes follow",
                        fields.len(),
                        c.buf.len() - c.pos.min(c.buf.len())
                    ),
                ));
            }
            let mut elements = Vec::with_capacity(count.min(room));
            for _ in 0..count {
                let mut values = Vec::with_capacity(fields.len());
                for _ in 0..fields.len() {
                    values.push(child(c, depth + 1)?);
                }
                elements.push(values);
            }
            MatValue::Struct {
                dims,
                fields,
                elements,
            }
        }
        CLASS_CELL => {
            if count > room {
                return Err(Fail(
                    dims_offset,
                    format!(
                        "cell {name:?} declares {count} items, but only {} bytes follow",
                        c.buf.len() - c.pos.min(c.buf.len())
                    ),
                ));
            }
            let mut items = Vec::with_capacity(count);
            for _ in 0..count {
                items.push(child(c, depth + 1)?);
            }
            MatValue::Cell { dims, items }
        }
        CLASS_CHAR => {
            let (dt, data) = c.element()?;
            MatValue::Char(text(dt, data, c.big_endian))
        }
        6..=15 => {
            let offset = c.base + c.pos;
            let (dt, data) = c.element()?;
            let data = numbers(dt, data, c.big_endian, offset)?;
            if data.len() != count {
                return Err(Fail(
                    offset,
                    format!(
                        "array {name:?} has {} values for dimensions {dims:?}",
                        data.len()
                    ),
                ));
            }
            if complex {
                return Err(Fail(
                    offset,
                    format!("array {name:?} is complex; expected real numbers"),
                ));
            }
            MatValue::Numeric { dims, data }
        }
        other => MatValue::Unsupported(other),
    };
    Ok((name, value))
}

/// A nested `miMATRIX` element (struct field or cell item).
fn child(c: &mut Cursor<'_>, depth: usize) -> R<MatValue> {
    let offset = c.base + c.pos;
    let (dt, data) = c.element()?;
    if dt != MI_MATRIX {
        return Err(Fail(
            offset,
            format!("element of type {dt} where an array (miMATRIX) was expected"),
        ));
    }
    let mut inner = c.sub(data);
    Ok(matrix(&mut inner, depth)?.1)
}

/// Reads every top-level variable of a v5/v7 MAT file.
///
/// # Errors
/// [`IoError`] naming the file and byte offset: a v7.3 (HDF5) or v4 file, a truncated or
/// corrupt element, bad zlib data, a complex array.
pub fn read_mat_file(path: &Path) -> Result<Vec<MatVariable>, IoError> {
    let bytes = std::fs::read(path).map_err(|e| IoError::os(path, e))?;
    parse_mat(&bytes).map_err(|Fail(offset, message)| {
        IoError::structure(
            Location {
                path: path.to_path_buf(),
                line: None,
                column: Some(format!("byte {offset}")),
            },
            message,
        )
    })
}

fn parse_mat(bytes: &[u8]) -> R<Vec<MatVariable>> {
    let is_hdf5 =
        bytes.get(512..516) == Some(b"\x89HDF".as_slice()) || bytes.starts_with(b"\x89HDF");
    let header = String::from_utf8_lossy(bytes.get(..116).unwrap_or(bytes)).into_owned();
    if is_hdf5 || header.contains("MATLAB 7.3") {
        return Err(Fail(
            0,
            "this is a MATLAB v7.3 (HDF5) file; this parser reads v5 to v7 files (fzc's CEADs \
             reader reads v7.3 through hdf5-pure)"
                .to_owned(),
        ));
    }
    if bytes.len() < 128 || !header.starts_with("MATLAB 5.0 MAT-file") {
        return Err(Fail(
            0,
            "not a MATLAB Level 5 MAT-file (the header does not start with \"MATLAB 5.0 MAT-file\"); \
             expected a v5, v6 or v7 .mat file"
                .to_owned(),
        ));
    }
    let big_endian = match &bytes[126..128] {
        b"IM" => false,
        b"MI" => true,
        _ => {
            return Err(Fail(
                126,
                "endian indicator is neither \"IM\" nor \"MI\"".to_owned(),
            ));
        }
    };
    let mut c = Cursor {
        buf: bytes,
        pos: 128,
        big_endian,
        base: 0,
    };
    let mut vars = Vec::new();
    while !c.at_end() {
        let offset = c.pos;
        let (dtype, data) = c.element()?;
        match dtype {
            MI_MATRIX => {
                let mut inner = c.sub(data);
                let (name, value) = matrix(&mut inner, 0)?;
                vars.push(MatVariable { name, value });
            }
            MI_COMPRESSED => {
                let plain = inflate(data, big_endian, offset)?;
                let mut z = Cursor {
                    buf: &plain,
                    pos: 0,
                    big_endian,
                    base: offset,
                };
                let (dt, inner_data) = z.element()?;
                if dt == MI_MATRIX {
                    let mut inner = z.sub(inner_data);
                    let (name, value) = matrix(&mut inner, 0)?;
                    vars.push(MatVariable { name, value });
                }
            }
            _ => {} // other top-level elements carry no variables
        }
    }
    Ok(vars)
}

/// Inflates one compressed element, reading no more than the 8-byte tag plus the length that
/// tag declares (and never more than [`MAX_INFLATED_BYTES`]): a zlib bomb stops there.
fn inflate(data: &[u8], big_endian: bool, offset: usize) -> R<Vec<u8>> {
    let bad = |e: std::io::Error| {
        Fail(
            offset,
            format!("bad zlib data in a compressed element: {e}"),
        )
    };
    let mut z = flate2::read::ZlibDecoder::new(data);
    let mut tag = [0u8; 8];
    let mut got = 0;
    while got < tag.len() {
        let n = z.read(&mut tag[got..]).map_err(bad)?;
        if n == 0 {
            break;
        }
        got += n;
    }
    let mut plain = tag[..got].to_vec();
    if got < tag.len() {
        return Ok(plain);
    }
    let word = |b: [u8; 4]| {
        if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        }
    };
    let first = word([tag[0], tag[1], tag[2], tag[3]]);
    let declared = if first >> 16 != 0 {
        0 // a small element: all in the 8 bytes already read
    } else {
        u64::from(word([tag[4], tag[5], tag[6], tag[7]]))
    };
    if declared > MAX_INFLATED_BYTES {
        return Err(Fail(
            offset,
            format!(
                "compressed element declares {declared} bytes, more than the {MAX_INFLATED_BYTES} \
                 bytes fzc inflates"
            ),
        ));
    }
    let declared = declared.div_ceil(8) * 8;
    // Reserve by what the compressed bytes can plausibly hold, not by the declared length.
    plain.reserve((data.len().saturating_mul(4)).min(declared as usize));
    (&mut z)
        .take(declared)
        .read_to_end(&mut plain)
        .map_err(bad)?;
    let mut probe = [0u8; 1];
    if z.read(&mut probe).map_err(bad)? != 0 {
        return Err(Fail(
            offset,
            format!(
                "compressed element inflates past the {declared} bytes its array tag declares \
                 (a zlib bomb or a corrupt tag)"
            ),
        ));
    }
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hdf5_files_are_refused_by_name() {
        let mut bytes = b"MATLAB 7.3 MAT-file, Platform: GLNXA64".to_vec();
        bytes.resize(512, b' ');
        bytes.extend_from_slice(b"\x89HDF\r\n");
        let err = match parse_mat(&bytes) {
            Err(Fail(_, m)) => m,
            Ok(_) => panic!("accepted HDF5"),
        };
        assert!(err.contains("v7.3 (HDF5)"), "{err}");
    }

    #[test]
    fn not_a_mat_file_is_refused() {
        assert!(parse_mat(b"region,sector\n").is_err());
    }

    /// A minimal independent MAT v5 writer, following the MathWorks format description.
    struct Writer {
        big_endian: bool,
    }

    impl Writer {
        fn u32(&self, v: u32) -> [u8; 4] {
            if self.big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            }
        }

        fn element(&self, dtype: u32, data: &[u8]) -> Vec<u8> {
            let mut out = Vec::new();
            out.extend(self.u32(dtype));
            out.extend(self.u32(u32::try_from(data.len()).unwrap()));
            out.extend(data);
            while out.len() % 8 != 0 {
                out.push(0);
            }
            out
        }

        /// The 4-byte "small data element" form.
        fn small(&self, dtype: u32, data: &[u8]) -> Vec<u8> {
            assert!(data.len() <= 4);
            let mut out = self
                .u32((u32::try_from(data.len()).unwrap() << 16) | dtype)
                .to_vec();
            out.extend(data);
            out.resize(8, 0);
            out
        }

        fn i32s(&self, values: &[i32]) -> Vec<u8> {
            values
                .iter()
                .flat_map(|v| {
                    if self.big_endian {
                        v.to_be_bytes()
                    } else {
                        v.to_le_bytes()
                    }
                })
                .collect()
        }

        fn matrix(&self, name: &str, class: u32, dims: &[usize], body: &[u8]) -> Vec<u8> {
            let mut content = self.element(MI_UINT32, &[self.u32(class), self.u32(0)].concat());
            let dims: Vec<i32> = dims.iter().map(|&d| i32::try_from(d).unwrap()).collect();
            content.extend(self.element(MI_INT32, &self.i32s(&dims)));
            content.extend(self.element(MI_INT8, name.as_bytes()));
            content.extend(body);
            self.element(MI_MATRIX, &content)
        }

        /// A numeric matrix stored as `kind`: 0 double, 1 int32, 2 single.
        fn numeric(&self, name: &str, rows: usize, cols: usize, data: &[f64], kind: u8) -> Vec<u8> {
            let (class, body) = match kind {
                0 => (
                    6,
                    self.element(
                        MI_DOUBLE,
                        &data
                            .iter()
                            .flat_map(|v| {
                                if self.big_endian {
                                    v.to_be_bytes()
                                } else {
                                    v.to_le_bytes()
                                }
                            })
                            .collect::<Vec<u8>>(),
                    ),
                ),
                1 => (
                    12,
                    self.element(
                        MI_INT32,
                        &self.i32s(&data.iter().map(|&v| v as i32).collect::<Vec<_>>()),
                    ),
                ),
                _ => (
                    7,
                    self.element(
                        MI_SINGLE,
                        &data
                            .iter()
                            .flat_map(|&v| {
                                let v = v as f32;
                                if self.big_endian {
                                    v.to_be_bytes()
                                } else {
                                    v.to_le_bytes()
                                }
                            })
                            .collect::<Vec<u8>>(),
                    ),
                ),
            };
            self.matrix(name, class, &[rows, cols], &body)
        }

        fn file(&self, variables: &[Vec<u8>], compress: bool) -> Vec<u8> {
            let mut out = format!(
                "{:<116}",
                "MATLAB 5.0 MAT-file, written by fzc's test writer"
            )
            .into_bytes();
            out.extend([0u8; 8]);
            if self.big_endian {
                out.extend([0x01, 0x00, b'M', b'I']);
            } else {
                out.extend([0x00, 0x01, b'I', b'M']);
            }
            for var in variables {
                if compress {
                    use std::io::Write;
                    let mut z =
                        flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
                    z.write_all(var).unwrap();
                    let packed = z.finish().unwrap();
                    out.extend(self.u32(MI_COMPRESSED));
                    out.extend(self.u32(u32::try_from(packed.len()).unwrap()));
                    out.extend(packed);
                } else {
                    out.extend(var);
                }
            }
            out
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever the byte order, compression and stored number type, a struct `MRIO` with a
        /// matrix field reads back with the same dimensions and column-major values.
        #[test]
        fn struct_with_matrix_round_trips(
            big_endian: bool,
            compress: bool,
            kind in 0u8..3,
            rows in 0usize..5,
            cols in 0usize..5,
            seed in proptest::collection::vec(0u16..1000, 25),
        ) {
            let w = Writer { big_endian };
            let data: Vec<f64> = seed.iter().take(rows * cols).map(|&v| if kind == 1 { f64::from(v) } else { f64::from(v) / 4.0 }).collect();
            let field_z = w.numeric("", rows, cols, &data, kind);
            let field_note = w.matrix("", CLASS_CHAR, &[1, 2], &w.element(MI_UINT16, &[w.u32(0x6f_0068)[..2].to_vec(), w.u32(0x69)[..2].to_vec()].concat()));
            let mut body = w.small(MI_INT32, &w.i32s(&[8]));
            body.extend(w.element(MI_INT8, b"Z\0\0\0\0\0\0\0note\0\0\0\0"));
            body.extend(field_z);
            body.extend(field_note);
            let mrio = w.matrix("MRIO", CLASS_STRUCT, &[1, 1], &body);
            let other = w.numeric("VA", 1, 1, &[3.0], 0);
            let vars = parse_mat(&w.file(&[other, mrio], compress)).map_err(|Fail(at, m)| format!("{at}: {m}")).unwrap();
            proptest::prop_assert_eq!(vars.len(), 2);
            proptest::prop_assert_eq!(&vars[1].name, "MRIO");
            proptest::prop_assert_eq!(
                vars[1].value.field("Z"),
                Some(&MatValue::Numeric { dims: vec![rows, cols], data })
            );
            proptest::prop_assert!(matches!(vars[1].value.field("note"), Some(MatValue::Char(_))));
        }
    }
}
