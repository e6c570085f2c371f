//! Grid personnel and teams (people.csv): leaders for every grid and micro-grid, rural grid
//! workers (full- and part-time), river-bureau staff and party-vanguard posts at the works, and
//! the town's rescue teams, with professionals to mass teams at 1:3. Names and phones are
//! synthetic.

use crate::grids::{Grids, Kind};
use crate::names::NameMaker;
use crate::preset::Preset;
use crate::rng::{Rng, apportion};

/// A role, as listed in scenario.toml's `[[role]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// 镇干部.
    TownOfficial,
    /// 河务局技术人员.
    RiverBureau,
    /// 网格长.
    GridLeader,
    /// 微网格长.
    MicroGridLeader,
    /// 网格员.
    GridWorker,
    /// 河地协同党员先锋岗.
    PartyVanguard,
    /// 退役军人突击队.
    VeteransCommando,
    /// 冲锋舟救援队.
    BoatRescue,
    /// 专业抢险队.
    ProRescue,
    /// 驻军和武警支援力量: comes on request through the district, not on the town's roster.
    ArmySupport,
    /// 区级群众抢险队: the district's mass teams, on request.
    DistrictMassTeam,
}

/// Every role in file order.
pub const ROLES: [Role; 11] = [
    Role::TownOfficial,
    Role::RiverBureau,
    Role::GridLeader,
    Role::MicroGridLeader,
    Role::GridWorker,
    Role::PartyVanguard,
    Role::VeteransCommando,
    Role::BoatRescue,
    Role::ProRescue,
    Role::ArmySupport,
    Role::DistrictMassTeam,
];

impl Role {
    /// Role id.
    pub fn id(self) -> &'static str {
        match self {
            Role::TownOfficial => "town_official",
            Role::RiverBureau => "river_bureau",
            Role::GridLeader => "grid_leader",
            Role::MicroGridLeader => "micro_grid_leader",
            Role::GridWorker => "grid_worker",
            Role::PartyVanguard => "party_vanguard",
            Role::VeteransCommando => "veterans_commando",
            Role::BoatRescue => "boat_rescue",
            Role::ProRescue => "pro_rescue",
            Role::ArmySupport => "army_support",
            Role::DistrictMassTeam => "district_mass_team",
        }
    }

    /// Chinese name.
    pub fn name(self) -> &'static str {
        match self {
            Role::TownOfficial => "镇干部",
            Role::RiverBureau => "河务局技术人员",
            Role::GridLeader => "网格长",
            Role::MicroGridLeader => "微网格长",
            Role::GridWorker => "网格员",
            Role::PartyVanguard => "河地协同党员先锋岗",
            Role::VeteransCommando => "退役军人突击队员",
            Role::BoatRescue => "冲锋舟救援队员",
            Role::ProRescue => "专业抢险队员",
            Role::ArmySupport => "驻军和武警支援力量",
            Role::DistrictMassTeam => "区级群众抢险队",
        }
    }

    /// English name.
    pub fn name_en(self) -> &'static str {
        match self {
            Role::TownOfficial => "Town official",
            Role::RiverBureau => "River bureau engineer",
            Role::GridLeader => "Grid leader",
            Role::MicroGridLeader => "Micro-grid leader",
            Role::GridWorker => "Grid worker",
            Role::PartyVanguard => "Party vanguard post",
            Role::VeteransCommando => "Veterans' commando",
            Role::BoatRescue => "Assault-boat rescue",
            Role::ProRescue => "Professional rescue",
            Role::ArmySupport => "Army and armed police (on request)",
            Role::DistrictMassTeam => "District mass teams (on request)",
        }
    }

    /// Task instances one person carries at once.
    pub fn capacity(self) -> u32 {
        match self {
            // Mass-team roles carry several light tasks in their own grid at once; professional
            // rescue and boat crews commit to one operation at a time.
            Role::TownOfficial => 6,
            Role::GridLeader => 4,
            Role::MicroGridLeader | Role::GridWorker | Role::RiverBureau => 3,
            Role::PartyVanguard | Role::VeteransCommando => 2,
            _ => 1,
        }
    }

    /// Whether the role belongs to the professional teams.
    pub fn professional(self) -> bool {
        matches!(self, Role::ProRescue | Role::BoatRescue | Role::RiverBureau)
    }

    /// Whether the role comes from outside on request (a shortfall is support to ask for).
    pub fn external(self) -> bool {
        matches!(self, Role::ArmySupport | Role::DistrictMassTeam)
    }

    /// Leads a grid: the grid leader, the micro-grid leader and the grid worker.
    pub fn leads_grid(self) -> bool {
        self.leads_evacuation().is_some()
    }

    /// Speed on the way to a task in a drill, km/h, when faster than on foot or by bicycle: the
    /// professional teams, the river bureau and the town's officials drive.
    pub fn travel_kmh(self) -> Option<f64> {
        matches!(
            self,
            Role::ProRescue | Role::BoatRescue | Role::RiverBureau | Role::TownOfficial
        )
        .then_some(30.0)
    }

    /// Preference among the roles that lead evacuations (1 first): the household's grid worker
    /// (包户), then the micro-grid leader, then the grid leader.
    pub fn leads_evacuation(self) -> Option<u32> {
        match self {
            Role::GridWorker => Some(1),
            Role::MicroGridLeader => Some(2),
            Role::GridLeader => Some(3),
            _ => None,
        }
    }
}

/// One row of people.csv.
#[derive(Debug, Clone)]
pub struct Person {
    /// Id, e.g. `p.0042`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Team.
    pub team: String,
    /// Unit index of the grid (or town) the person belongs to.
    pub grid: usize,
    /// Phone.
    pub phone: String,
    /// Skills.
    pub skills: Vec<&'static str>,
    /// day / night / any.
    pub shift: &'static str,
    /// Capacity when it differs from the role's.
    pub capacity: Option<u32>,
}

/// Mass rescue team of grid workers.
pub const MASS_TEAM: &str = "群众抢险队";

/// People being generated, with the stream their names and shifts come from.
struct Roster {
    rng: Rng,
    names: NameMaker,
    out: Vec<Person>,
}

impl Roster {
    fn add(
        &mut self,
        role: Role,
        team: String,
        grid: usize,
        skills: Vec<&'static str>,
        shift: &'static str,
    ) {
        let female = match role {
            Role::ProRescue | Role::BoatRescue | Role::VeteransCommando => self.rng.chance(0.05),
            Role::PartyVanguard => self.rng.chance(0.3),
            _ => self.rng.chance(0.4),
        };
        let name = self.names.name(&mut self.rng, female);
        self.out.push(Person {
            id: String::new(),
            name,
            role,
            team,
            grid,
            phone: String::new(),
            skills,
            shift,
            capacity: None,
        });
    }

    fn shift(&mut self) -> &'static str {
        self.rng.pick(&["day", "night", "any"])
    }
}

/// The team of a grid's own staff.
fn grid_team(grids: &Grids, k: usize) -> String {
    let u = &grids.units[k];
    match u.kind {
        Kind::Dedicated => format!("{}组", u.name),
        _ => format!("{}网格组", grids.units[u.area_unit.unwrap_or(k)].name),
    }
}

/// Generates the personnel.
pub fn generate(preset: &Preset, grids: &Grids) -> Vec<Person> {
    let mut r = Roster {
        rng: Rng::stream(preset.seed, "people"),
        names: NameMaker::new(),
        out: Vec::new(),
    };
    let spec = &preset.people;
    let towns: Vec<usize> = grids.of_kind(Kind::Town).map(|(k, _)| k).collect();
    let dedicated: Vec<usize> = grids.of_kind(Kind::Dedicated).map(|(k, _)| k).collect();
    let spread = |list: &[usize], n: usize| list[n % list.len()];
    for &t in &towns {
        for n in 0..spec.town_officials_per_town {
            let skills = match n % 6 {
                0 => vec!["指挥调度", "应急管理"],
                1 => vec!["指挥调度", "物资调配"],
                2 => vec!["转移安置", "群众工作"],
                3 => vec!["信息发布", "舆情应对"],
                4 => vec!["后勤保障", "物资调配"],
                _ => vec!["巡堤查险", "群众工作"],
            };
            r.add(
                Role::TownOfficial,
                format!("{}防汛指挥部", grids.units[t].name),
                t,
                skills,
                "any",
            );
        }
    }
    for n in 0..spec.river_bureau {
        let skills = match n % 4 {
            0 => vec!["险情识别", "根石探测", "工程抢护"],
            1 => vec!["水文测报", "险情识别"],
            2 => vec!["工程抢护", "机械操作"],
            _ => vec!["无人机巡查", "险情识别"],
        };
        let shift = r.shift();
        r.add(
            Role::RiverBureau,
            "河务局技术组".into(),
            spread(&dedicated, n),
            skills,
            shift,
        );
    }
    // Leaders: one per grid and dedicated grid, one per micro-grid.
    for (k, u) in grids.units.iter().enumerate() {
        match u.kind {
            Kind::Grid | Kind::Dedicated => {
                let skills = if u.river_side || u.kind == Kind::Dedicated {
                    vec!["网格管理", "信息报送", "巡堤查险"]
                } else {
                    vec!["网格管理", "信息报送", "入户排查"]
                };
                r.add(Role::GridLeader, grid_team(grids, k), k, skills, "any");
            }
            Kind::Micro => {
                r.add(
                    Role::MicroGridLeader,
                    grid_team(grids, k),
                    k,
                    vec!["网格管理", "入户排查"],
                    "any",
                );
            }
            _ => {}
        }
    }
    // Rural grid workers: one per village grid and dedicated grid first, the rest where the
    // floodplain and the works need hands.
    let rural: Vec<usize> = grids
        .units
        .iter()
        .enumerate()
        .filter(|(_, u)| {
            u.kind == Kind::Dedicated
                || (u.kind == Kind::Grid
                    && u.area_unit
                        .is_some_and(|a| grids.units[a].kind == Kind::Village))
        })
        .map(|(k, _)| k)
        .collect();
    let base = spec.grid_workers.min(rural.len());
    let weights: Vec<f64> = rural
        .iter()
        .map(|&k| {
            let u = &grids.units[k];
            match u.kind {
                Kind::Dedicated => 3.0,
                _ if u.river_side => 1.0 + u.area_m2 / 1.0e6,
                _ => 0.6,
            }
        })
        .collect();
    let extra = apportion(spec.grid_workers - base, &weights);
    let first_worker = r.out.len();
    for (n, &k) in rural.iter().enumerate() {
        for _ in 0..usize::from(n < base) + extra[n] {
            let full_time = r.rng.chance(0.4);
            let mut skills = vec![if full_time { "全职" } else { "兼职" }, "巡堤查险"];
            for (skill, p) in [
                ("转移安置", 0.5),
                ("无人机巡查", 0.1),
                ("水上救生", 0.15),
                ("医疗救护", 0.08),
            ] {
                if r.rng.chance(p) {
                    skills.push(skill);
                }
            }
            let shift = r.rng.pick(&["day", "day", "night", "night", "any"]);
            r.add(Role::GridWorker, grid_team(grids, k), k, skills, shift);
        }
    }
    let workers: Vec<usize> = (first_worker..r.out.len()).collect();
    let mut chosen = workers.clone();
    r.rng.shuffle(&mut chosen);
    chosen.truncate(spec.mass_team_grid_workers);
    for &k in &chosen {
        r.out[k].team = MASS_TEAM.into();
        r.out[k].skills.push("抢险");
    }
    for &k in &workers {
        // Full-time workers carry one task more than the role's part-time default.
        if r.out[k].skills[0] == "全职" {
            r.out[k].capacity = Some(Role::GridWorker.capacity() + 1);
        }
    }
    let teams: [(Role, usize, &str, &[&'static str]); 4] = [
        (
            Role::PartyVanguard,
            spec.party_vanguard,
            "河地协同党员先锋岗",
            &["巡堤查险", "群众工作"],
        ),
        (
            Role::VeteransCommando,
            spec.veterans_commando,
            "退役军人突击队",
            &["抢险", "巡堤查险", "转移安置"],
        ),
        (
            Role::BoatRescue,
            spec.boat_rescue,
            "冲锋舟救援队",
            &["冲锋舟驾驶", "水上救生"],
        ),
        (
            Role::ProRescue,
            spec.pro_rescue,
            "专业抢险队",
            &["抢险", "机械操作", "工程抢护"],
        ),
    ];
    for (role, count, team, skills) in teams {
        for n in 0..count {
            // Party-vanguard posts stand at the works; the teams are town-level.
            let grid = if role == Role::PartyVanguard {
                spread(&dedicated, n)
            } else {
                spread(&towns, n)
            };
            let shift = r.shift();
            r.add(role, team.into(), grid, skills.to_vec(), shift);
        }
    }
    let mut out = r.out;
    let width = out.len().to_string().len().max(4);
    for (n, p) in out.iter_mut().enumerate() {
        p.id = format!("p.{:0width$}", n + 1);
        p.phone = format!("138{:08}", n + 1);
    }
    out
}
