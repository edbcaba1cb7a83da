//! Parquet files through arrow-rs's low-level writer (`SerializedFileWriter`, no arrow
//! arrays): rows are buffered per column and written as a row group every
//! [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] of text, so memory stays bounded however
//! many rows a table has. Columns are zstd-compressed (the codec rolldex already links).

use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::{Compression, ZstdLevel};
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, DoubleType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;

use super::files::TableWriter;
use super::tables::{Cell, Column, Kind, Table};
use crate::error::{Error, Result};

/// zstd's level: 1 wrote the 2 GB rich history's messages a third faster than 3 (8.5 s
/// against 13.0 s, one core compressing), in 15 % more bytes (466 MB against 403 MB).
const ZSTD_LEVEL: i32 = 1;

/// Rows per row group (at most).
pub const ROW_GROUP_ROWS: usize = 65_536;
/// Bytes of buffered text after which a row group is written early (long messages).
pub const ROW_GROUP_BYTES: usize = 32 << 20;

/// The Parquet schema of `table`, in the message-type syntax.
pub fn message_type(table: &Table) -> String {
    let mut text = format!("message {} {{\n", table.name);
    for column in table.columns {
        let repetition = if column.nullable {
            "OPTIONAL"
        } else {
            "REQUIRED"
        };
        let name = column.name;
        let _ = match column.kind {
            Kind::Text => writeln!(text, "  {repetition} BYTE_ARRAY {name} (STRING);"),
            Kind::Int => writeln!(text, "  {repetition} INT64 {name};"),
            Kind::Float => writeln!(text, "  {repetition} DOUBLE {name};"),
            Kind::Bool => writeln!(text, "  {repetition} BOOLEAN {name};"),
            Kind::Time => writeln!(
                text,
                "  {repetition} INT64 {name} (TIMESTAMP(MILLIS,true));"
            ),
            Kind::Day => writeln!(text, "  {repetition} INT32 {name} (DATE);"),
            Kind::TextList => writeln!(
                text,
                "  {repetition} GROUP {name} (LIST) {{\n    REPEATED GROUP list {{\n      REQUIRED BYTE_ARRAY element (STRING);\n    }}\n  }}"
            ),
        };
    }
    text.push('}');
    text
}

/// One column's buffered values with their definition and repetition levels.
struct Buffer {
    column: Column,
    values: Values,
    def: Vec<i16>,
    rep: Vec<i16>,
}

enum Values {
    Bytes(Vec<ByteArray>),
    I64(Vec<i64>),
    I32(Vec<i32>),
    F64(Vec<f64>),
    Bool(Vec<bool>),
}

impl Buffer {
    fn new(column: Column) -> Buffer {
        let values = match column.kind {
            Kind::Text | Kind::TextList => Values::Bytes(Vec::new()),
            Kind::Int | Kind::Time => Values::I64(Vec::new()),
            Kind::Day => Values::I32(Vec::new()),
            Kind::Float => Values::F64(Vec::new()),
            Kind::Bool => Values::Bool(Vec::new()),
        };
        Buffer {
            column,
            values,
            def: Vec::new(),
            rep: Vec::new(),
        }
    }

    /// Adds one row's cell, its text moved, not copied (message text is most of an export's
    /// bytes); returns the text bytes it buffered.
    fn push(&mut self, cell: Cell) -> usize {
        if let Cell::List(items) = cell {
            // REQUIRED list of REQUIRED elements: def 0 = empty list, 1 = an element;
            // rep 0 starts a row, 1 continues its list.
            if items.is_empty() {
                self.def.push(0);
                self.rep.push(0);
            }
            let mut bytes = 0;
            for (i, item) in items.into_iter().enumerate() {
                self.def.push(1);
                self.rep.push(i16::from(i > 0));
                bytes += item.len();
                if let Values::Bytes(v) = &mut self.values {
                    v.push(ByteArray::from(item.into_bytes()));
                }
            }
            return bytes;
        }
        if matches!(cell, Cell::Null) {
            // A null in a required column cannot happen (the row builders follow the
            // tables); it is written as the type's zero rather than failing the export.
            if self.column.nullable {
                self.def.push(0);
                return 0;
            }
        } else if self.column.nullable {
            self.def.push(1);
        }
        let mut bytes = 0;
        match (&mut self.values, cell) {
            (Values::Bytes(v), Cell::Text(t)) => {
                bytes = t.len();
                v.push(ByteArray::from(t.into_bytes()));
            }
            (Values::Bytes(v), _) => v.push(ByteArray::from(Vec::new())),
            (Values::I64(v), Cell::Int(n) | Cell::Time(n)) => v.push(n),
            (Values::I64(v), _) => v.push(0),
            (Values::I32(v), Cell::Day(d)) => v.push(d),
            (Values::I32(v), _) => v.push(0),
            (Values::F64(v), Cell::Float(f)) => v.push(f),
            (Values::F64(v), _) => v.push(0.0),
            (Values::Bool(v), Cell::Bool(b)) => v.push(b),
            (Values::Bool(v), _) => v.push(false),
        }
        bytes
    }

    fn clear(&mut self) {
        match &mut self.values {
            Values::Bytes(v) => v.clear(),
            Values::I64(v) => v.clear(),
            Values::I32(v) => v.clear(),
            Values::F64(v) => v.clear(),
            Values::Bool(v) => v.clear(),
        }
        self.def.clear();
        self.rep.clear();
    }
}

/// A Parquet file being written.
pub struct ParquetWriter {
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
    buffers: Vec<Buffer>,
    rows: usize,
    bytes: usize,
}

impl ParquetWriter {
    /// Starts `table`'s file at `path` (already created, private).
    pub fn new(path: &Path, file: File, table: &Table) -> Result<ParquetWriter> {
        let schema = parse_message_type(&message_type(table)).map_err(|e| failed(path, &e))?;
        let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|e| failed(path, &e))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(level))
            .set_created_by(format!("rolldex {}", env!("CARGO_PKG_VERSION")))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .build();
        let writer =
            SerializedFileWriter::new(BufWriter::new(file), Arc::new(schema), Arc::new(properties))
                .map_err(|e| failed(path, &e))?;
        Ok(ParquetWriter {
            path: path.to_path_buf(),
            writer,
            buffers: table.columns.iter().map(|c| Buffer::new(*c)).collect(),
            rows: 0,
            bytes: 0,
        })
    }

    /// Writes the buffered rows as one row group.
    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let path = self.path.clone();
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| failed(&path, &e))?;
        let mut index = 0;
        while let Some(mut column) = group.next_column().map_err(|e| failed(&path, &e))? {
            let Some(buffer) = self.buffers.get(index) else {
                return Err(failed(&path, &"more columns than the table has"));
            };
            let def = (buffer.column.nullable || buffer.column.kind == Kind::TextList)
                .then_some(buffer.def.as_slice());
            let rep = (buffer.column.kind == Kind::TextList).then_some(buffer.rep.as_slice());
            let written = match &buffer.values {
                Values::Bytes(v) => column.typed::<ByteArrayType>().write_batch(v, def, rep),
                Values::I64(v) => column.typed::<Int64Type>().write_batch(v, def, rep),
                Values::I32(v) => column.typed::<Int32Type>().write_batch(v, def, rep),
                Values::F64(v) => column.typed::<DoubleType>().write_batch(v, def, rep),
                Values::Bool(v) => column.typed::<BoolType>().write_batch(v, def, rep),
            };
            written.map_err(|e| failed(&path, &e))?;
            column.close().map_err(|e| failed(&path, &e))?;
            index += 1;
        }
        group.close().map_err(|e| failed(&path, &e))?;
        for buffer in &mut self.buffers {
            buffer.clear();
        }
        self.rows = 0;
        self.bytes = 0;
        Ok(())
    }
}

impl TableWriter for ParquetWriter {
    fn write_row(&mut self, row: Vec<Cell>) -> Result<()> {
        for (buffer, cell) in self.buffers.iter_mut().zip(row) {
            self.bytes += buffer.push(cell);
        }
        self.rows += 1;
        if self.rows >= ROW_GROUP_ROWS || self.bytes >= ROW_GROUP_BYTES {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> Result<File> {
        self.flush()?;
        let path = self.path.clone();
        let inner = self.writer.into_inner().map_err(|e| failed(&path, &e))?;
        inner
            .into_inner()
            .map_err(|e| Error::io(&path, e.into_error()))
    }
}

/// A Parquet error as rolldex's error, naming the file.
fn failed(path: &Path, error: &dyn std::fmt::Display) -> Error {
    Error::io(path, std::io::Error::other(format!("parquet: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tables::TABLES;

    #[test]
    fn every_schema_parses() {
        for table in TABLES {
            let text = message_type(&table);
            let schema = parse_message_type(&text).expect("parses");
            assert_eq!(schema.get_fields().len(), table.columns.len(), "{text}");
        }
    }
}
