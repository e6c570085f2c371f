//! Word lists for synthetic names: Chinese surnames and given-name characters for people, and
//! place-name syllables (with pinyin) for the scale scenario's villages and towns. Names are
//! drawn from these with a seeded stream; no real person is described.

use crate::rng::Rng;

/// Common surnames in Henan, most frequent first (weights follow roughly).
const SURNAMES: &[(&str, f64)] = &[
    ("王", 9.0),
    ("李", 8.0),
    ("张", 8.0),
    ("刘", 6.0),
    ("陈", 4.0),
    ("杨", 3.5),
    ("赵", 3.0),
    ("黄", 2.0),
    ("周", 2.0),
    ("吴", 1.5),
    ("徐", 1.5),
    ("孙", 1.5),
    ("胡", 1.5),
    ("朱", 1.5),
    ("高", 1.5),
    ("郭", 2.0),
    ("马", 1.5),
    ("何", 1.0),
    ("宋", 1.0),
    ("郑", 1.0),
    ("韩", 1.0),
    ("冯", 1.0),
    ("董", 1.0),
    ("程", 1.0),
    ("曹", 0.8),
    ("申", 0.8),
    ("贾", 0.8),
    ("魏", 0.8),
    ("牛", 0.8),
    ("范", 0.6),
    ("付", 0.6),
    ("崔", 0.6),
    ("常", 0.5),
    ("孟", 0.5),
    ("秦", 0.5),
    ("尚", 0.4),
];

const GIVEN_MALE: &[&str] = &[
    "建", "国", "军", "伟", "强", "磊", "勇", "涛", "明", "刚", "平", "辉", "鹏", "华", "杰", "志",
    "新", "卫", "东", "海", "林", "峰", "超", "亮", "彬", "振", "宏", "德", "文", "利", "成", "长",
    "春", "永", "红", "金", "保", "胜", "良", "俊",
];

const GIVEN_FEMALE: &[&str] = &[
    "秀", "英", "兰", "芳", "娟", "霞", "丽", "敏", "静", "燕", "玲", "艳", "萍", "红", "梅", "莉",
    "晓", "雪", "慧", "琳", "桂", "凤", "云", "玉", "婷", "佳", "欣", "瑞", "月", "珍",
];

/// Synthetic Chinese personal names.
pub struct NameMaker {
    weights: Vec<f64>,
}

impl NameMaker {
    /// A name maker.
    pub fn new() -> NameMaker {
        NameMaker {
            weights: SURNAMES.iter().map(|s| s.1).collect(),
        }
    }

    /// A name: surname plus one or two given characters.
    pub fn name(&self, rng: &mut Rng, female: bool) -> String {
        let surname = SURNAMES[rng.weighted(&self.weights)].0;
        let chars = if female { GIVEN_FEMALE } else { GIVEN_MALE };
        let mut out = String::from(surname);
        out.push_str(rng.pick(chars));
        if rng.chance(0.7) {
            out.push_str(rng.pick(chars));
        }
        out
    }
}

impl Default for NameMaker {
    fn default() -> Self {
        NameMaker::new()
    }
}

/// Towns of the scale scenario, (pinyin stem, Chinese name, English name).
pub const SCALE_TOWNS: &[(&str, &str, &str)] = &[
    ("huayuankou", "花园口镇", "Huayuankou town"),
    ("guxing", "古荥镇", "Guxing town"),
    ("jiangshan", "江山镇", "Jiangshan town"),
    ("beisun", "北孙镇", "Beisun town"),
    ("liuzhai", "刘寨镇", "Liuzhai town"),
    ("yangqiao", "杨桥镇", "Yangqiao town"),
    ("dongzhang", "东张镇", "Dongzhang town"),
    ("mazhuang", "马庄镇", "Mazhuang town"),
];

const FIRST: &[(&str, &str, &str)] = &[
    ("dong", "东", "Dong"),
    ("xi", "西", "Xi"),
    ("nan", "南", "Nan"),
    ("bei", "北", "Bei"),
    ("qian", "前", "Qian"),
    ("hou", "后", "Hou"),
    ("da", "大", "Da"),
    ("xiao", "小", "Xiao"),
    ("xin", "新", "Xin"),
    ("wang", "王", "Wang"),
    ("li", "李", "Li"),
    ("zhang", "张", "Zhang"),
    ("liu", "刘", "Liu"),
    ("zhao", "赵", "Zhao"),
    ("ma", "马", "Ma"),
    ("huang", "黄", "Huang"),
    ("yang", "杨", "Yang"),
    ("sun", "孙", "Sun"),
    ("hu", "胡", "Hu"),
    ("guo", "郭", "Guo"),
];

const SECOND: &[(&str, &str, &str)] = &[
    ("zhuang", "庄", "zhuang"),
    ("zhai", "寨", "zhai"),
    ("ji", "集", "ji"),
    ("ying", "营", "ying"),
    ("gang", "岗", "gang"),
    ("di", "堤", "di"),
    ("qiao", "桥", "qiao"),
    ("wan", "湾", "wan"),
    ("tun", "屯", "tun"),
    ("dian", "店", "dian"),
    ("kou", "口", "kou"),
    ("he", "河", "he"),
    ("po", "坡", "po"),
    ("yuan", "园", "yuan"),
    ("lou", "楼", "lou"),
    ("wa", "洼", "wa"),
    ("tan", "滩", "tan"),
    ("lin", "林", "lin"),
    ("tai", "台", "tai"),
    ("miao", "庙", "miao"),
];

/// Every two-syllable place name once, (pinyin stem, Chinese, English), in a fixed interleaved
/// order (400 names).
pub fn place_names() -> impl Iterator<Item = (String, String, String)> {
    let n = FIRST.len() * SECOND.len();
    // Step through the product with a stride coprime to its size so neighbours differ.
    (0..n).map(move |k| {
        let idx = (k * 7) % n;
        let (a, b) = (FIRST[idx % FIRST.len()], SECOND[idx / FIRST.len()]);
        (
            format!("{}{}", a.0, b.0),
            format!("{}{}", a.1, b.1),
            format!("{}{}", a.2, b.2),
        )
    })
}
