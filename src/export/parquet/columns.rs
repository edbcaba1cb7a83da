//! A row group's columns: each column's values as rows arrive, with their definition and
//! repetition levels, and their encoding into memory as Parquet column chunks. Kept apart from
//! the file writer because the encoding runs on threads of its own (see [`super`]).

use bytes::Bytes;
use parquet::column::writer::{
    ColumnCloseResult, ColumnWriter, ColumnWriterImpl, get_column_writer,
};
use parquet::data_type::{ByteArray, DataType};
use parquet::file::properties::WriterPropertiesPtr;
use parquet::file::writer::{SerializedPageWriter, TrackedWrite};
use parquet::schema::types::SchemaDescriptor;

use super::super::tables::{Cell, Column, Kind};

/// One column's buffered values with their definition and repetition levels.
pub(super) struct Buffer {
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
    pub(super) fn new(column: Column) -> Buffer {
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
    pub(super) fn push(&mut self, cell: Cell) -> usize {
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
}

/// One column chunk encoded into memory, with what closing its writer reported.
pub(super) type Encoded = (Bytes, ColumnCloseResult);

/// Encodes and compresses one row group's columns into memory, as
/// `SerializedFileWriter` would write them.
pub(super) fn encode_row_group(
    buffers: &[Buffer],
    schema: &SchemaDescriptor,
    properties: &WriterPropertiesPtr,
) -> std::result::Result<Vec<Encoded>, String> {
    let mut chunks = Vec::with_capacity(buffers.len());
    for (index, buffer) in buffers.iter().enumerate() {
        if index >= schema.num_columns() {
            return Err("more columns than the table has".into());
        }
        let mut sink = TrackedWrite::new(Vec::new());
        let close = {
            let pages = Box::new(SerializedPageWriter::new(&mut sink));
            let writer = get_column_writer(schema.column(index), properties.clone(), pages);
            write_column(writer, buffer).map_err(|e| e.to_string())?
        };
        let bytes = sink.into_inner().map_err(|e| e.to_string())?;
        chunks.push((Bytes::from(bytes), close));
    }
    Ok(chunks)
}

/// Writes one column's buffered values (with their levels) and closes its writer.
fn write_column(
    writer: ColumnWriter<'_>,
    buffer: &Buffer,
) -> parquet::errors::Result<ColumnCloseResult> {
    let def = (buffer.column.nullable || buffer.column.kind == Kind::TextList)
        .then_some(buffer.def.as_slice());
    let rep = (buffer.column.kind == Kind::TextList).then_some(buffer.rep.as_slice());
    let mismatch = || parquet::errors::ParquetError::General("column type mismatch".into());
    match (writer, &buffer.values) {
        (ColumnWriter::ByteArrayColumnWriter(w), Values::Bytes(v)) => write_all(w, v, def, rep),
        (ColumnWriter::Int64ColumnWriter(w), Values::I64(v)) => write_all(w, v, def, rep),
        (ColumnWriter::Int32ColumnWriter(w), Values::I32(v)) => write_all(w, v, def, rep),
        (ColumnWriter::DoubleColumnWriter(w), Values::F64(v)) => write_all(w, v, def, rep),
        (ColumnWriter::BoolColumnWriter(w), Values::Bool(v)) => write_all(w, v, def, rep),
        _ => Err(mismatch()),
    }
}

/// Writes `values` (with their levels) through one typed column writer and closes it.
fn write_all<T: DataType>(
    mut writer: ColumnWriterImpl<'_, T>,
    values: &[T::T],
    def: Option<&[i16]>,
    rep: Option<&[i16]>,
) -> parquet::errors::Result<ColumnCloseResult> {
    writer.write_batch(values, def, rep)?;
    writer.close()
}
