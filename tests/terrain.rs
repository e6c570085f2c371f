//! GeoTIFF variants a planner may bring: tiled layouts and rasters larger than the `tiff`
//! decoder's default 256 MiB limit.

use std::io::Cursor;

use floodgrid_engine::flood::{GeoTransform, Raster, read_geotiff, write_geotiff};
use tiff::encoder::TiffEncoder;
use tiff::tags::Tag;

#[test]
fn tiled_float_geotiff_reads_in_place() {
    // 5 × 3 image in 4 × 4 tiles (2 × 1 tiles), hand-written: the encoder only writes strips.
    let (w, h, tw, th) = (5u32, 3u32, 16u32, 16u32);
    let value = |x: u32, y: u32| 90.0 + x as f32 + 10.0 * y as f32;
    let mut buf = Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut buf).unwrap();
        let mut dir = enc.image_directory().unwrap();
        let mut offsets = Vec::new();
        let mut counts = Vec::new();
        for tx in 0..w.div_ceil(tw) {
            let mut tile = vec![0f32; (tw * th) as usize];
            for y in 0..th {
                for x in 0..tw {
                    let (gx, gy) = (tx * tw + x, y);
                    if gx < w && gy < h {
                        tile[(y * tw + x) as usize] = value(gx, gy);
                    }
                }
            }
            let off = dir.write_data(&tile[..]).unwrap();
            offsets.push(off as u32);
            counts.push((tile.len() * 4) as u32);
        }
        dir.write_tag(Tag::ImageWidth, w).unwrap();
        dir.write_tag(Tag::ImageLength, h).unwrap();
        dir.write_tag(Tag::BitsPerSample, 32u16).unwrap();
        dir.write_tag(Tag::Compression, 1u16).unwrap();
        dir.write_tag(Tag::PhotometricInterpretation, 1u16).unwrap();
        dir.write_tag(Tag::SamplesPerPixel, 1u16).unwrap();
        dir.write_tag(Tag::SampleFormat, 3u16).unwrap();
        dir.write_tag(Tag::TileWidth, tw).unwrap();
        dir.write_tag(Tag::TileLength, th).unwrap();
        dir.write_tag(Tag::TileOffsets, &offsets[..]).unwrap();
        dir.write_tag(Tag::TileByteCounts, &counts[..]).unwrap();
        dir.write_tag(Tag::Unknown(33550), &[15.0f64, 15.0, 0.0][..])
            .unwrap();
        dir.write_tag(
            Tag::Unknown(33922),
            &[0.0f64, 0.0, 0.0, 461_000.0, 3_872_000.0, 0.0][..],
        )
        .unwrap();
        dir.write_tag(Tag::Unknown(34735), &[1u16, 1, 0, 1, 3072, 0, 1, 4547][..])
            .unwrap();
        dir.finish().unwrap();
    }
    let g = read_geotiff(buf.get_ref()).unwrap();
    assert_eq!((g.raster.ncols, g.raster.nrows), (5, 3));
    assert_eq!(g.epsg, Some(4547));
    for y in 0..h {
        for x in 0..w {
            assert_eq!(g.raster.get(x as usize, y as usize), Some(value(x, y)));
        }
    }
    assert_eq!(g.raster.transform.y_min_m, 3_872_000.0 - 45.0);
}

#[test]
fn rasters_beyond_the_decoders_default_256_mib_limit_read() {
    // 8,200 × 8,200 f32 = 269 MB decoded; deflate makes the file small.
    let n = 8_200;
    let t = GeoTransform {
        x_min_m: 0.0,
        y_min_m: 0.0,
        dx_m: 2.0,
        dy_m: 2.0,
    };
    let mut r = Raster::filled(n, n, t, 91.5);
    r.data[n * n - 1] = 97.25;
    let mut buf = Cursor::new(Vec::new());
    write_geotiff(&r, 4547, &mut buf).unwrap();
    drop(r);
    assert!(buf.get_ref().len() < 64 << 20, "compressed");
    let g = read_geotiff(buf.get_ref()).expect("a DEM above 256 MiB decodes");
    assert_eq!(g.raster.len(), n * n);
    assert_eq!(g.raster.data[n * n - 1], 97.25);
    assert_eq!(g.raster.data[12_345], 91.5);
}
