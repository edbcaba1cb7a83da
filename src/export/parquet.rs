//! Parquet files through arrow-rs's low-level writer (`SerializedFileWriter`, no arrow
//! arrays): rows are buffered per column and written as a row group every
//! [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] of text, so memory stays bounded however
//! many rows a table has. Columns are zstd-compressed (the codec rolldex already links).
//!
//! Encoding and compressing a row group is most of an `--include-text` export's time, so a
//! full row group is encoded into memory on a thread of its own while the next one fills (as
//! many at once as there are cores, at most 8), and the encoded column chunks are spliced into
//! the file in order (`append_column`): the file is the one a single thread would write.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::SchemaDescriptor;

use super::files::TableWriter;
use super::tables::{Cell, Kind, Table};
use columns::{Buffer, Encoded, encode_row_group};

mod columns;
use crate::error::{Error, Result};

/// zstd's level: 1 wrote the 2 GB rich history's messages a third faster than 3 (8.5 s
/// against 13.0 s, one core compressing), in 15 % more bytes (466 MB against 403 MB).
const ZSTD_LEVEL: i32 = 1;

/// Rows per row group (at most).
pub const ROW_GROUP_ROWS: usize = 65_536;
/// Bytes of buffered text after which a row group is written early (long messages). One row
/// group per core (at most 8) is being encoded while another fills: with 32 MB the 2 GB rich
/// history's export peaked at about 300 MB on 2 cores, with 8 MB at about 180 MB (as one
/// thread with 32 MB did) in the same time.
pub const ROW_GROUP_BYTES: usize = 8 << 20;

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

/// A row group being encoded on its own thread.
type Encoding = JoinHandle<std::result::Result<Vec<Encoded>, String>>;

/// A Parquet file being written.
pub struct ParquetWriter {
    path: PathBuf,
    writer: SerializedFileWriter<BufWriter<File>>,
    schema: Arc<SchemaDescriptor>,
    properties: WriterPropertiesPtr,
    table: Table,
    buffers: Vec<Buffer>,
    rows: usize,
    bytes: usize,
    /// Row groups being encoded, oldest first (they are written in this order).
    encoding: VecDeque<Encoding>,
    /// How many row groups may be encoded at once.
    threads: usize,
}

impl ParquetWriter {
    /// Starts `table`'s file at `path` (already created, private).
    pub fn new(path: &Path, file: File, table: &Table) -> Result<ParquetWriter> {
        let schema =
            Arc::new(parse_message_type(&message_type(table)).map_err(|e| failed(path, &e))?);
        let level = ZstdLevel::try_new(ZSTD_LEVEL).map_err(|e| failed(path, &e))?;
        let properties = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::ZSTD(level))
                .set_created_by(format!("rolldex {}", env!("CARGO_PKG_VERSION")))
                .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
                .build(),
        );
        let writer =
            SerializedFileWriter::new(BufWriter::new(file), schema.clone(), properties.clone())
                .map_err(|e| failed(path, &e))?;
        // As many as rayon's pool holds: one per core, or fewer where the system allows fewer.
        let threads = rayon::current_num_threads().clamp(1, 8);
        Ok(ParquetWriter {
            path: path.to_path_buf(),
            schema: Arc::new(SchemaDescriptor::new(schema)),
            writer,
            properties,
            table: *table,
            buffers: table.columns.iter().map(|c| Buffer::new(*c)).collect(),
            rows: 0,
            bytes: 0,
            encoding: VecDeque::new(),
            threads,
        })
    }

    /// Hands the buffered rows to a thread that encodes them as one row group, first writing
    /// the oldest encoded one when as many are being encoded as there are cores.
    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let fresh = self.table.columns.iter().map(|c| Buffer::new(*c)).collect();
        let buffers = std::mem::replace(&mut self.buffers, fresh);
        self.rows = 0;
        self.bytes = 0;
        while self.encoding.len() >= self.threads {
            self.write_oldest()?;
        }
        let buffers = Arc::new(buffers);
        let job = {
            let (buffers, schema) = (buffers.clone(), self.schema.clone());
            let properties = self.properties.clone();
            move || encode_row_group(&buffers, &schema, &properties)
        };
        let spawned = std::thread::Builder::new()
            .name("rolldex-parquet".into())
            .spawn(job);
        if let Ok(handle) = spawned {
            self.encoding.push_back(handle);
            return Ok(());
        }
        // No thread to be had (a process limit): encode here, after the ones before it.
        while !self.encoding.is_empty() {
            self.write_oldest()?;
        }
        self.append(encode_row_group(&buffers, &self.schema, &self.properties))
    }

    /// Waits for the oldest row group being encoded and writes it.
    fn write_oldest(&mut self) -> Result<()> {
        let Some(handle) = self.encoding.pop_front() else {
            return Ok(());
        };
        let encoded = handle.join().unwrap_or_else(|panic| {
            let why = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("encoding a row group failed {why}")
                .trim_end()
                .to_owned())
        });
        self.append(encoded)
    }

    /// Splices one encoded row group's column chunks into the file, in column order.
    fn append(&mut self, encoded: std::result::Result<Vec<Encoded>, String>) -> Result<()> {
        let path = self.path.clone();
        let encoded = encoded.map_err(|e| failed(&path, &e))?;
        let mut group = self
            .writer
            .next_row_group()
            .map_err(|e| failed(&path, &e))?;
        for (bytes, close) in encoded {
            group
                .append_column(&bytes, close)
                .map_err(|e| failed(&path, &e))?;
        }
        group.close().map_err(|e| failed(&path, &e))?;
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
        while !self.encoding.is_empty() {
            self.write_oldest()?;
        }
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
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::record::Field;

    use super::*;
    use crate::export::schema::Column;
    use crate::export::tables::TABLES;

    /// Every kind of column, nullable and not, so each encoding path goes through the threads.
    const MIXED: Table = Table {
        name: "mixed",
        snapshot: false,
        columns: &[
            Column {
                name: "n",
                kind: Kind::Int,
                nullable: false,
            },
            Column {
                name: "text",
                kind: Kind::Text,
                nullable: false,
            },
            Column {
                name: "maybe",
                kind: Kind::Text,
                nullable: true,
            },
            Column {
                name: "at",
                kind: Kind::Time,
                nullable: true,
            },
            Column {
                name: "day",
                kind: Kind::Day,
                nullable: false,
            },
            Column {
                name: "cost",
                kind: Kind::Float,
                nullable: true,
            },
            Column {
                name: "flag",
                kind: Kind::Bool,
                nullable: false,
            },
            Column {
                name: "tags",
                kind: Kind::TextList,
                nullable: false,
            },
        ],
    };

    /// Row `i`: its text is about 230 KB and differs from every other row's.
    fn row(i: i64) -> Vec<Cell> {
        let mut text = String::new();
        for k in 0..80_000 {
            let _ = write!(text, "{:x}", (i * 7919 + k) % 4096);
        }
        vec![
            Cell::Int(i),
            Cell::Text(format!("{i}:{text}")),
            if i % 3 == 0 {
                Cell::Null
            } else {
                Cell::Text(format!("m{i}"))
            },
            if i % 4 == 0 {
                Cell::Null
            } else {
                Cell::Time(1_700_000_000_000 + i)
            },
            Cell::Day(19_000 + i32::try_from(i).expect("a small row number")),
            if i % 5 == 0 {
                Cell::Null
            } else {
                Cell::Float(i as f64 / 8.0)
            },
            Cell::Bool(i % 2 == 0),
            Cell::List((0..(i % 3)).map(|k| format!("t{i}.{k}")).collect()),
        ]
    }

    #[test]
    fn row_groups_encoded_on_threads_read_back_in_order() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("mixed.parquet");
        let file = File::create(&path).expect("the file is created");
        let mut writer: Box<dyn TableWriter> =
            Box::new(ParquetWriter::new(&path, file, &MIXED).expect("the writer starts"));
        // About 35 MB of text: several row groups, more than one encoding at once.
        let rows = 150;
        for i in 0..rows {
            writer.write_row(row(i)).expect("the row is written");
        }
        drop(writer.finish().expect("the file is finished"));

        // Read with parquet's own reader, not with anything of ours.
        let reader = SerializedFileReader::new(File::open(&path).expect("it opens"))
            .expect("parquet reads it");
        assert!(
            reader.metadata().num_row_groups() >= 3,
            "one row group per 8 MB of text"
        );
        let mut read = 0;
        for (i, got) in reader.get_row_iter(None).expect("rows").enumerate() {
            let got = got.expect("a row");
            let i = i64::try_from(i).expect("a small row number");
            let fields: Vec<&Field> = got.get_column_iter().map(|(_, f)| f).collect();
            let want = row(i);
            assert_eq!(fields[0], &Field::Long(i));
            let Cell::Text(text) = &want[1] else {
                unreachable!()
            };
            assert_eq!(fields[1], &Field::Str(text.clone()), "row {i}'s text");
            let maybe = if i % 3 == 0 {
                Field::Null
            } else {
                Field::Str(format!("m{i}"))
            };
            assert_eq!(fields[2], &maybe);
            let at = if i % 4 == 0 {
                Field::Null
            } else {
                Field::TimestampMillis(1_700_000_000_000 + i)
            };
            assert_eq!(fields[3], &at);
            assert_eq!(
                fields[4],
                &Field::Date(19_000 + i32::try_from(i).expect("a small row number"))
            );
            let cost = if i % 5 == 0 {
                Field::Null
            } else {
                Field::Double(i as f64 / 8.0)
            };
            assert_eq!(fields[5], &cost);
            assert_eq!(fields[6], &Field::Bool(i % 2 == 0));
            let Field::ListInternal(tags) = fields[7] else {
                panic!("row {i}: tags are a list")
            };
            let want: Vec<Field> = (0..(i % 3))
                .map(|k| Field::Str(format!("t{i}.{k}")))
                .collect();
            assert_eq!(tags.elements(), want.as_slice(), "row {i}'s tags");
            read += 1;
        }
        assert_eq!(read, rows);
    }

    #[test]
    fn every_schema_parses() {
        for table in TABLES {
            let text = message_type(&table);
            let schema = parse_message_type(&text).expect("parses");
            assert_eq!(schema.get_fields().len(), table.columns.len(), "{text}");
        }
    }
}
