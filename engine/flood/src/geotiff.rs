//! GeoTIFF terrain reading and writing (single-band, float or integer samples, strips or tiles).
//! Georeferencing comes from ModelPixelScale (33550) + ModelTiepoint (33922) or
//! ModelTransformation (34264); the EPSG code from the GeoKeyDirectory (34735); NODATA from
//! GDAL_NODATA (42113). Reading never panics: a broken file comes back as a [`RasterError`].

use std::io::{Cursor, Seek, Write};

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::encoder::{Compression, DeflateLevel, TiffEncoder, colortype};
use tiff::tags::Tag;

use super::RasterError;
use super::raster::{GeoTransform, MAX_RASTER_CELLS, Raster};

const MODEL_PIXEL_SCALE: u16 = 33550;
const MODEL_TIEPOINT: u16 = 33922;
const MODEL_TRANSFORMATION: u16 = 34264;
const GEO_KEY_DIRECTORY: u16 = 34735;
const GDAL_NODATA: u16 = 42113;
const GDAL_METADATA: u16 = 42112;
const KEY_GEOGRAPHIC_CRS: u16 = 2048;
const MODEL_TYPE_GEOGRAPHIC: u16 = 2;
const KEY_MODEL_TYPE: u16 = 1024;
const KEY_RASTER_TYPE: u16 = 1025;
const KEY_PROJECTED_CRS: u16 = 3072;
const PIXEL_IS_POINT: u16 = 2;

/// A raster read from a GeoTIFF with the EPSG code its GeoKeys name, if any.
#[derive(Debug, Clone)]
pub struct GeoTiff {
    /// The raster.
    pub raster: Raster,
    /// ProjectedCSTypeGeoKey, when present.
    pub epsg: Option<u32>,
}

fn err(message: impl Into<String>) -> RasterError {
    RasterError::at(0, 0, message)
}

/// Reads a single-band GeoTIFF from memory; see [`read_geotiff_for`].
pub fn read_geotiff(bytes: &[u8]) -> Result<GeoTiff, RasterError> {
    read_geotiff_for(bytes, None)
}

/// Compression schemes read (TIFF codes): none, LZW, Deflate (both codes), PackBits. Lossy ones
/// (JPEG) and the rest are refused: an elevation must come back as written.
const COMPRESSIONS: [(u16, &str); 5] = [
    (1, "none"),
    (5, "LZW"),
    (8, "Deflate"),
    (32946, "Deflate"),
    (32773, "PackBits"),
];

/// Reads a single-band GeoTIFF from memory, for a scenario whose projected CRS is `epsg` (named
/// in the advice of a refusal). Work is bounded by the header: more than [`MAX_RASTER_CELLS`]
/// cells is refused before decoding, and the decoder may produce no more than the declared
/// width × height × bytes per sample (a strip that inflates further is never read past that).
/// Refused with a message that says what to do: a geographic CRS (degrees), GDAL scale/offset
/// metadata (scaled integers), a compression other than none, LZW, Deflate or PackBits.
pub fn read_geotiff_for(bytes: &[u8], epsg: Option<u32>) -> Result<GeoTiff, RasterError> {
    let tiff_err = |e: tiff::TiffError| err(format!("not a readable GeoTIFF: {e}"));
    let mut limits = Limits::default();
    // Until the header is read: tag values only (the image is not decoded yet).
    limits.ifd_value_size = 16 << 20;
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(tiff_err)?
        .with_limits(limits.clone());
    let (w, h) = dec.dimensions().map_err(tiff_err)?;
    let (ncols, nrows) = (w as usize, h as usize);
    let cells = ncols
        .checked_mul(nrows)
        .filter(|&n| n > 0)
        .ok_or_else(|| err(format!("image is {w} × {h}, expected at least one cell")))?;
    if cells > MAX_RASTER_CELLS {
        return Err(err(format!(
            "image is {w} × {h} = {cells} cells, more than {MAX_RASTER_CELLS}; expected a DEM of the flood's area: crop or coarsen it (`gdalwarp -te … -tr …`)"
        )));
    }
    let compression = match dec.find_tag(Tag::Compression).map_err(tiff_err)? {
        None => 1,
        Some(v) => v.into_u16().map_err(tiff_err)?,
    };
    if !COMPRESSIONS.iter().any(|&(c, _)| c == compression) {
        return Err(err(format!(
            "compression {compression} ({}) is not read; expected none, LZW, Deflate or PackBits: rewrite it with `gdal_translate -co COMPRESS=DEFLATE IN.tif OUT.tif`",
            compression_name(compression),
        )));
    }
    let bits = match dec.find_tag(Tag::BitsPerSample).map_err(tiff_err)? {
        None => 1,
        Some(v) => v
            .into_u16_vec()
            .map_err(tiff_err)?
            .into_iter()
            .map(usize::from)
            .sum::<usize>(),
    };
    // What the header justifies: every declared cell at its bytes per sample, plus a little for
    // the decoder's own rounding (sub-byte rows, planes).
    limits.decoding_buffer_size = cells
        .saturating_mul(bits.div_ceil(8).clamp(1, 16))
        .saturating_add(64 << 10);
    // A compressed strip or tile is read whole first; it cannot be larger than the file.
    limits.intermediate_buffer_size = bytes.len().max(64 << 10);
    dec = dec.with_limits(limits);
    if matches!(compression, 8 | 32946) {
        check_inflated_sizes(bytes, &mut dec, w, bits)?;
    }
    match dec.colortype().map_err(tiff_err)? {
        tiff::ColorType::Gray(_) => {}
        other => {
            return Err(err(format!(
                "found a {other:?} image, expected a single-band (grey) elevation raster"
            )));
        }
    }
    if let Some(meta) = dec
        .find_tag(Tag::Unknown(GDAL_METADATA))
        .map_err(tiff_err)?
        .and_then(|v| v.into_string().ok())
    {
        for (role, neutral) in [("scale", 1.0), ("offset", 0.0)] {
            if let Some(v) = gdal_metadata_item(&meta, role)
                && v != neutral
            {
                return Err(err(format!(
                    "the GeoTIFF stores elevations with a GDAL {role} of {v} (scaled integers); expected metres as stored: unscale it with `gdal_translate -unscale -ot Float32 IN.tif OUT.tif`"
                )));
            }
        }
    }

    let f64s =
        |dec: &mut Decoder<Cursor<&[u8]>>, tag: u16| -> Result<Option<Vec<f64>>, RasterError> {
            match dec.find_tag(Tag::Unknown(tag)).map_err(tiff_err)? {
                None => Ok(None),
                Some(v) => v
                    .into_f64_vec()
                    .map(Some)
                    .map_err(|e| err(format!("tag {tag} is not a list of numbers: {e}"))),
            }
        };
    let scale = f64s(&mut dec, MODEL_PIXEL_SCALE)?;
    let tie = f64s(&mut dec, MODEL_TIEPOINT)?;
    let matrix = f64s(&mut dec, MODEL_TRANSFORMATION)?;
    let keys: Vec<u16> = match dec
        .find_tag(Tag::Unknown(GEO_KEY_DIRECTORY))
        .map_err(tiff_err)?
    {
        None => Vec::new(),
        Some(v) => v.into_u16_vec().map_err(|e| {
            err(format!(
                "GeoKeyDirectory (34735) is not a list of shorts: {e}"
            ))
        })?,
    };
    let key = |id: u16| -> Option<u16> {
        // header: version, revision, minor, count; then 4 shorts per key (id, location, count, value)
        keys.get(4..)?
            .chunks_exact(4)
            .find(|k| k[0] == id && k[1] == 0)
            .map(|k| k[3])
    };
    if key(KEY_MODEL_TYPE) == Some(MODEL_TYPE_GEOGRAPHIC)
        || (key(KEY_GEOGRAPHIC_CRS).is_some() && key(KEY_PROJECTED_CRS).is_none())
    {
        let target = epsg.map_or("<the scenario's EPSG code>".to_string(), |e| e.to_string());
        let from = key(KEY_GEOGRAPHIC_CRS).map_or(String::new(), |c| format!(" EPSG:{c}"));
        return Err(err(format!(
            "the GeoTIFF is in a geographic CRS{from} (degrees); expected the scenario's projected CRS in metres: reproject it with `gdalwarp -t_srs EPSG:{target} -r bilinear IN.tif OUT.tif`"
        )));
    }
    let pixel_is_point = key(KEY_RASTER_TYPE) == Some(PIXEL_IS_POINT);
    let epsg = key(KEY_PROJECTED_CRS)
        .filter(|&c| c != 0 && c != 32767)
        .map(u32::from);

    let (x_min, y_max, dx, dy) = if let (Some(s), Some(t)) = (&scale, &tie) {
        if s.len() < 2 || t.len() < 6 {
            return Err(err(
                "ModelPixelScale needs 3 values and ModelTiepoint 6; the file holds fewer",
            ));
        }
        (t[3] - t[0] * s[0], t[4] + t[1] * s[1], s[0], s[1])
    } else if let Some(m) = &matrix {
        if m.len() < 16 {
            return Err(err("ModelTransformation needs 16 values"));
        }
        if m[1] != 0.0 || m[4] != 0.0 {
            return Err(err(
                "the raster is rotated (ModelTransformation); expected a north-up raster",
            ));
        }
        (m[3], m[7], m[0], -m[5])
    } else {
        return Err(err(
            "no georeferencing: expected ModelPixelScale (33550) with ModelTiepoint (33922), or ModelTransformation (34264)",
        ));
    };
    if !(dx.is_finite()
        && dy.is_finite()
        && dx > 0.0
        && dy > 0.0
        && x_min.is_finite()
        && y_max.is_finite())
    {
        return Err(err(format!(
            "cell size {dx} × {dy} at ({x_min}, {y_max}); expected positive finite numbers"
        )));
    }
    let (x_min, y_max) = if pixel_is_point {
        (x_min - dx / 2.0, y_max + dy / 2.0)
    } else {
        (x_min, y_max)
    };

    let nodata = match dec.find_tag(Tag::Unknown(GDAL_NODATA)).map_err(tiff_err)? {
        None => None,
        Some(v) => {
            let text = v.into_string().unwrap_or_default();
            let t = text.trim_matches(|c: char| c == '\0' || c.is_whitespace());
            match t.parse::<f64>() {
                Ok(x) => Some(x as f32),
                Err(_) if t.eq_ignore_ascii_case("nan") => Some(f32::NAN),
                Err(_) => {
                    return Err(err(format!(
                        "GDAL_NODATA (42113) is `{t}`, expected a number"
                    )));
                }
            }
        }
    };

    let image = dec.read_image().map_err(tiff_err)?;
    let mut data: Vec<f32> = match image {
        DecodingResult::F32(v) => v,
        DecodingResult::F64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::U8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I8(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::I16(v) => v.into_iter().map(f32::from).collect(),
        DecodingResult::U32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I32(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::U64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::I64(v) => v.into_iter().map(|x| x as f32).collect(),
        DecodingResult::F16(v) => v.into_iter().map(f32::from).collect(),
    };
    if data.len() != cells {
        return Err(err(format!(
            "the image holds {} samples, expected {ncols} × {nrows} = {cells} (one band)",
            data.len()
        )));
    }
    if let Some(nd) = nodata {
        for v in &mut data {
            if *v == nd || (nd.is_nan() && v.is_nan()) {
                *v = f32::NAN;
            }
        }
    }
    Ok(GeoTiff {
        raster: Raster {
            ncols,
            nrows,
            transform: GeoTransform {
                x_min_m: x_min,
                y_min_m: y_max - dy * nrows as f64,
                dx_m: dx,
                dy_m: dy,
            },
            nodata: nodata.filter(|v| !v.is_nan()),
            data,
        },
        epsg,
    })
}

/// Refuses a Deflate strip or tile whose data inflates to more than the bytes its share of the
/// declared dimensions holds (a decompression bomb, or a header that does not describe its data).
/// Each is inflated at most one byte past that, so the check costs no more than reading the image.
fn check_inflated_sizes(
    bytes: &[u8],
    dec: &mut Decoder<Cursor<&[u8]>>,
    width: u32,
    bits_per_pixel: usize,
) -> Result<(), RasterError> {
    let tiff_err = |e: tiff::TiffError| err(format!("not a readable GeoTIFF: {e}"));
    let list =
        |dec: &mut Decoder<Cursor<&[u8]>>, tag: Tag| -> Result<Option<Vec<u64>>, RasterError> {
            dec.find_tag(tag)
                .map_err(tiff_err)?
                .map(|v| v.into_u64_vec().map_err(tiff_err))
                .transpose()
        };
    let row_bytes = |w: u64| (w * bits_per_pixel as u64).div_ceil(8);
    let (what, offsets, counts, nominal) = if let Some(offsets) = list(dec, Tag::TileOffsets)? {
        let tw = list(dec, Tag::TileWidth)?
            .and_then(|v| v.first().copied())
            .unwrap_or(0);
        let th = list(dec, Tag::TileLength)?
            .and_then(|v| v.first().copied())
            .unwrap_or(0);
        let counts = list(dec, Tag::TileByteCounts)?.unwrap_or_default();
        ("tile", offsets, counts, row_bytes(tw).saturating_mul(th))
    } else {
        let offsets = list(dec, Tag::StripOffsets)?.unwrap_or_default();
        let counts = list(dec, Tag::StripByteCounts)?.unwrap_or_default();
        let h = u64::from(dec.dimensions().map_err(tiff_err)?.1);
        let rows = list(dec, Tag::RowsPerStrip)?
            .and_then(|v| v.first().copied())
            .unwrap_or(h)
            .min(h);
        (
            "strip",
            offsets,
            counts,
            row_bytes(u64::from(width)).saturating_mul(rows),
        )
    };
    for (i, (&at, &len)) in offsets.iter().zip(&counts).enumerate() {
        let Some(chunk) = usize::try_from(at)
            .ok()
            .zip(usize::try_from(len).ok())
            .and_then(|(a, n)| bytes.get(a..a.checked_add(n)?))
        else {
            continue; // the decoder reports data outside the file
        };
        let mut inflate = std::io::Read::take(
            flate2::read::ZlibDecoder::new(chunk),
            nominal.saturating_add(1),
        );
        let got = std::io::copy(&mut inflate, &mut std::io::sink()).unwrap_or(0);
        if got > nominal {
            return Err(err(format!(
                "{what} {i} inflates to more than the {nominal} bytes the image's dimensions give it (a decompression bomb, or a header that does not describe the data); expected a GeoTIFF as GDAL writes it"
            )));
        }
    }
    Ok(())
}

/// The name of a TIFF compression code, for messages.
fn compression_name(code: u16) -> &'static str {
    match code {
        2 => "CCITT RLE",
        3 | 4 => "CCITT fax",
        6 | 7 => "JPEG, lossy",
        34887 => "LERC",
        34925 => "LZMA",
        50000 => "Zstandard",
        50001 => "WebP",
        _ => "unknown",
    }
}

/// The value of band 0's `<Item name=… role="ROLE">VALUE</Item>` in GDAL's metadata XML (42112),
/// when present and a number.
fn gdal_metadata_item(xml: &str, role: &str) -> Option<f64> {
    let marker = format!("role=\"{role}\"");
    xml.split("<Item")
        .filter(|item| item.contains(&marker))
        .find(|item| !item.contains("sample=") || item.contains("sample=\"0\""))
        .and_then(|item| {
            let value = item.split_once('>')?.1.split_once('<')?.0;
            value.trim().parse::<f64>().ok()
        })
}

/// Writes a raster as a deflate-compressed 32-bit float GeoTIFF in strips, with its
/// georeferencing, the EPSG code of its projected CRS and GDAL_NODATA.
pub fn write_geotiff<W: Write + Seek>(
    raster: &Raster,
    epsg: u32,
    out: W,
) -> Result<(), RasterError> {
    let io = |e: tiff::TiffError| err(format!("cannot write GeoTIFF: {e}"));
    let w = u32::try_from(raster.ncols).map_err(|_| err("too many columns for TIFF"))?;
    let h = u32::try_from(raster.nrows).map_err(|_| err("too many rows for TIFF"))?;
    let epsg16 =
        u16::try_from(epsg).map_err(|_| err(format!("EPSG {epsg} does not fit a GeoKey")))?;
    let nodata = raster.nodata.or(raster
        .data
        .iter()
        .any(|v| v.is_nan())
        .then_some(super::ascii::DEFAULT_NODATA));
    let mut enc = TiffEncoder::new(out)
        .map_err(io)?
        .with_compression(Compression::Deflate(DeflateLevel::Balanced));
    let mut img = enc.new_image::<colortype::Gray32Float>(w, h).map_err(io)?;
    let t = &raster.transform;
    let y_max = t.y_min_m + t.dy_m * raster.nrows as f64;
    let d = img.encoder();
    d.write_tag(Tag::Unknown(MODEL_PIXEL_SCALE), &[t.dx_m, t.dy_m, 0.0][..])
        .map_err(io)?;
    d.write_tag(
        Tag::Unknown(MODEL_TIEPOINT),
        &[0.0, 0.0, 0.0, t.x_min_m, y_max, 0.0][..],
    )
    .map_err(io)?;
    let keys: [u16; 16] = [
        1,
        1,
        0,
        3, //
        KEY_MODEL_TYPE,
        0,
        1,
        1, // projected
        KEY_RASTER_TYPE,
        0,
        1,
        1, // pixel is area
        KEY_PROJECTED_CRS,
        0,
        1,
        epsg16,
    ];
    d.write_tag(Tag::Unknown(GEO_KEY_DIRECTORY), &keys[..])
        .map_err(io)?;
    if let Some(nd) = nodata {
        d.write_tag(Tag::Unknown(GDAL_NODATA), format!("{nd}").as_str())
            .map_err(io)?;
    }
    let fill = nodata.unwrap_or(super::ascii::DEFAULT_NODATA);
    let data: Vec<f32> = raster
        .data
        .iter()
        .map(|v| if v.is_nan() { fill } else { *v })
        .collect();
    img.write_data(&data).map_err(io)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Raster {
        let t = GeoTransform {
            x_min_m: 470_000.0,
            y_min_m: 3_860_000.0,
            dx_m: 15.0,
            dy_m: 15.0,
        };
        let mut r = Raster::filled(5, 4, t, 0.0);
        for (i, v) in r.data.iter_mut().enumerate() {
            *v = 91.0 + i as f32 * 0.25;
        }
        r.data[7] = f32::NAN;
        r
    }

    #[test]
    fn round_trip_keeps_values_and_georeference() {
        let r = sample();
        let mut buf = Cursor::new(Vec::new());
        write_geotiff(&r, 4547, &mut buf).unwrap();
        let g = read_geotiff(buf.get_ref()).unwrap();
        assert_eq!(g.epsg, Some(4547));
        assert_eq!(g.raster.transform, r.transform);
        assert_eq!((g.raster.ncols, g.raster.nrows), (5, 4));
        for (a, b) in g.raster.data.iter().zip(&r.data) {
            assert!(a == b || (a.is_nan() && b.is_nan()));
        }
    }

    /// A 4 × 3 GeoTIFF of `u16` samples with the given GeoKeys and, when given, GDAL metadata.
    fn u16_tiff(keys: &[u16], gdal_metadata: Option<&str>) -> Vec<u8> {
        let mut buf = Cursor::new(Vec::new());
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        let mut img = enc.new_image::<colortype::Gray16>(4, 3).unwrap();
        let d = img.encoder();
        d.write_tag(Tag::Unknown(MODEL_PIXEL_SCALE), &[30.0, 30.0, 0.0][..])
            .unwrap();
        d.write_tag(
            Tag::Unknown(MODEL_TIEPOINT),
            &[0.0, 0.0, 0.0, 470_000.0, 3_860_000.0, 0.0][..],
        )
        .unwrap();
        d.write_tag(Tag::Unknown(GEO_KEY_DIRECTORY), keys).unwrap();
        if let Some(m) = gdal_metadata {
            d.write_tag(Tag::Unknown(GDAL_METADATA), m).unwrap();
        }
        img.write_data(&[915u16; 12]).unwrap();
        buf.into_inner()
    }

    const PROJECTED: [u16; 12] = [
        1,
        1,
        0,
        2,
        KEY_MODEL_TYPE,
        0,
        1,
        1,
        KEY_PROJECTED_CRS,
        0,
        1,
        4547,
    ];

    #[test]
    fn integer_samples_without_scaling_are_read_as_metres() {
        let g = read_geotiff(&u16_tiff(&PROJECTED, None)).unwrap();
        assert_eq!(g.raster.data, vec![915.0; 12]);
        // A neutral scale and offset change nothing.
        let neutral = r#"<GDALMetadata><Item name="SCALE" sample="0" role="scale">1</Item><Item name="OFFSET" sample="0" role="offset">0</Item></GDALMetadata>"#;
        assert!(read_geotiff(&u16_tiff(&PROJECTED, Some(neutral))).is_ok());
    }

    #[test]
    fn a_gdal_scale_or_offset_is_refused_with_what_to_do() {
        for (meta, what) in [
            (
                r#"<GDALMetadata><Item name="SCALE" sample="0" role="scale">0.1</Item></GDALMetadata>"#,
                "scale of 0.1",
            ),
            (
                r#"<GDALMetadata><Item name="OFFSET" sample="0" role="offset">-100</Item></GDALMetadata>"#,
                "offset of -100",
            ),
        ] {
            let e = read_geotiff(&u16_tiff(&PROJECTED, Some(meta))).unwrap_err();
            assert!(e.message.contains(what), "{}", e.message);
            assert!(
                e.message.contains("gdal_translate -unscale"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn a_geographic_crs_is_refused_with_the_gdalwarp_to_run() {
        // GTModelType 2 (geographic), GeographicType 4326.
        let keys = [
            1,
            1,
            0,
            2,
            KEY_MODEL_TYPE,
            0,
            1,
            2,
            KEY_GEOGRAPHIC_CRS,
            0,
            1,
            4326,
        ];
        let e = read_geotiff_for(&u16_tiff(&keys, None), Some(4547)).unwrap_err();
        assert!(e.message.contains("EPSG:4326"), "{}", e.message);
        assert!(
            e.message.contains("gdalwarp -t_srs EPSG:4547"),
            "{}",
            e.message
        );
        // Only the geographic type, no model type: still degrees.
        let keys = [1, 1, 0, 1, KEY_GEOGRAPHIC_CRS, 0, 1, 4326];
        assert!(read_geotiff(&u16_tiff(&keys, None)).is_err());
    }

    /// Overwrites the value of a SHORT entry of the first IFD (little-endian files).
    fn patch_short(bytes: &mut [u8], tag: u16, value: u16) {
        let ifd = u32::from_le_bytes(bytes[4..8].try_into().unwrap()) as usize;
        let n = u16::from_le_bytes(bytes[ifd..ifd + 2].try_into().unwrap()) as usize;
        for k in 0..n {
            let e = ifd + 2 + 12 * k;
            if u16::from_le_bytes(bytes[e..e + 2].try_into().unwrap()) == tag {
                bytes[e + 8..e + 10].copy_from_slice(&value.to_le_bytes());
                return;
            }
        }
        panic!("no tag {tag}");
    }

    #[test]
    fn an_unsupported_compression_is_refused_with_what_to_do() {
        let mut bytes = u16_tiff(&PROJECTED, None);
        for (code, name) in [(7u16, "JPEG"), (50000, "Zstandard"), (9, "unknown")] {
            patch_short(&mut bytes, 259, code);
            let e = read_geotiff(&bytes).unwrap_err();
            assert!(e.message.contains(name), "{}", e.message);
            assert!(
                e.message.contains("gdal_translate -co COMPRESS=DEFLATE"),
                "{}",
                e.message
            );
        }
    }

    #[test]
    fn dimensions_beyond_the_limit_are_refused_before_decoding() {
        let mut bytes = u16_tiff(&PROJECTED, None);
        // ImageWidth and ImageLength are SHORTs in this file: 65,535 × 65,535 > 100 million.
        patch_short(&mut bytes, 256, u16::MAX);
        patch_short(&mut bytes, 257, u16::MAX);
        let e = read_geotiff(&bytes).unwrap_err();
        assert!(e.message.contains("cells, more than"), "{}", e.message);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_geotiff(b"").is_err());
        assert!(read_geotiff(b"II*\0garbage").is_err());
        let r = sample();
        let mut buf = Cursor::new(Vec::new());
        write_geotiff(&r, 4547, &mut buf).unwrap();
        let bytes = buf.into_inner();
        for cut in [8, 16, 100, bytes.len() / 2, bytes.len() - 1] {
            assert!(read_geotiff(&bytes[..cut]).is_err() || cut == bytes.len());
        }
    }
}
