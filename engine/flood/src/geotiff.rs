//! GeoTIFF terrain reading and writing (single-band, float or integer samples, strips or tiles).
//! Georeferencing comes from ModelPixelScale (33550) + ModelTiepoint (33922) or
//! ModelTransformation (34264); the EPSG code from the GeoKeyDirectory (34735); NODATA from
//! GDAL_NODATA (42113). Reading never panics: a broken file comes back as a [`RasterError`].

use std::io::{Cursor, Seek, Write};

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::encoder::{Compression, DeflateLevel, TiffEncoder, colortype};
use tiff::tags::Tag;

use super::RasterError;
use super::raster::{GeoTransform, Raster};

const MODEL_PIXEL_SCALE: u16 = 33550;
const MODEL_TIEPOINT: u16 = 33922;
const MODEL_TRANSFORMATION: u16 = 34264;
const GEO_KEY_DIRECTORY: u16 = 34735;
const GDAL_NODATA: u16 = 42113;
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

/// Reads a single-band GeoTIFF from memory. Images larger than the `tiff` decoder's default
/// 256 MiB limit are read; the limit is raised only as far as the file could plausibly need, so a
/// header claiming absurd dimensions fails cleanly instead of exhausting memory.
pub fn read_geotiff(bytes: &[u8]) -> Result<GeoTiff, RasterError> {
    let tiff_err = |e: tiff::TiffError| err(format!("not a readable GeoTIFF: {e}"));
    let mut limits = Limits::default();
    // Deflate's best ratio is about 1:1032; nothing real needs more room than that.
    limits.decoding_buffer_size = bytes
        .len()
        .saturating_mul(1100)
        .clamp(256 << 20, 32usize << 30);
    limits.intermediate_buffer_size = limits.decoding_buffer_size;
    limits.ifd_value_size = 16 << 20;
    let mut dec = Decoder::new(Cursor::new(bytes))
        .map_err(tiff_err)?
        .with_limits(limits);
    let (w, h) = dec.dimensions().map_err(tiff_err)?;
    match dec.colortype().map_err(tiff_err)? {
        tiff::ColorType::Gray(_) => {}
        other => {
            return Err(err(format!(
                "found a {other:?} image, expected a single-band (grey) elevation raster"
            )));
        }
    }
    let (ncols, nrows) = (w as usize, h as usize);
    let cells = ncols
        .checked_mul(nrows)
        .filter(|&n| n > 0)
        .ok_or_else(|| err(format!("image is {w} × {h}, expected at least one cell")))?;

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
