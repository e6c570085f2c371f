//! The hazard vocabulary: what can go wrong on the dike, at the works, in the floodplain or to
//! people. Drill scripts, the `Situation` and the plan's condition language (`hazard.kind`,
//! `hazard_count.<kind>`) all take their values from [`HazardKind`].

crate::vocabulary! {
    /// A kind of hazard, as drill scripts, situations and plan conditions name it.
    pub enum HazardKind {
        /// Piping (管涌): sand boils behind the dike.
        Piping = "piping",
        /// Seepage (渗水) through the land-side slope.
        Seepage = "seepage",
        /// A slope slide (滑坡).
        Sliding = "sliding",
        /// A bank or groyne collapse at a works (坍塌).
        Collapse = "collapse",
        /// Root stone lost at a works (根石走失).
        RootStone = "root_stone",
        /// Water over the crest (漫溢).
        Overtopping = "overtopping",
        /// A breach of the main dike (大堤决口).
        Breach = "breach",
        /// A breach of a production dike in the floodplain (生产堤溃口).
        ProductionDikeBreach = "production_dike_breach",
        /// A road cut by water or damage.
        RoadCut = "road_cut",
        /// Waterlogging behind the dike (内涝).
        Waterlogging = "waterlogging",
        /// People trapped by water (群众被困): a rescue.
        PeopleTrapped = "people_trapped",
        /// A public-safety report (群众报告): people fishing, swimming or watching where they
        /// should not be. Public-safety and evacuation work, never engineering.
        PublicSafety = "public_safety",
        /// A member of the flood staff hurt or taken ill on duty.
        StaffCasualty = "staff_casualty",
        /// Anything else reported: verified on site first.
        Other = "other",
    }
}

impl HazardKind {
    /// Whether it is a failure of the dike or the works, which crews and materials repair (the
    /// plan's `hazard.engineering`). People in danger, public-safety reports, waterlogging and
    /// cut roads are not.
    pub fn is_engineering(self) -> bool {
        matches!(
            self,
            HazardKind::Piping
                | HazardKind::Seepage
                | HazardKind::Sliding
                | HazardKind::Collapse
                | HazardKind::RootStone
                | HazardKind::Overtopping
                | HazardKind::Breach
                | HazardKind::ProductionDikeBreach
        )
    }

    /// Whether water leaves the channel through it (a breach or overtopping): it alarms the
    /// grids the water reaches.
    pub fn floods(self) -> bool {
        matches!(
            self,
            HazardKind::Overtopping | HazardKind::Breach | HazardKind::ProductionDikeBreach
        )
    }

    /// Whether it is a dike breach (main or production dike), which a drill script may describe
    /// with a `breach` table for the 2D solver.
    pub fn is_breach(self) -> bool {
        matches!(self, HazardKind::Breach | HazardKind::ProductionDikeBreach)
    }

    /// The Chinese name, as reports and pushed messages show it.
    pub fn name_zh(self) -> &'static str {
        match self {
            HazardKind::Piping => "管涌",
            HazardKind::Seepage => "渗水",
            HazardKind::Sliding => "滑坡",
            HazardKind::Collapse => "坍塌",
            HazardKind::RootStone => "根石走失",
            HazardKind::Overtopping => "漫溢",
            HazardKind::Breach => "大堤决口",
            HazardKind::ProductionDikeBreach => "生产堤溃口",
            HazardKind::RoadCut => "道路中断",
            HazardKind::Waterlogging => "内涝",
            HazardKind::PeopleTrapped => "群众被困",
            HazardKind::PublicSafety => "社会面安全",
            HazardKind::StaffCasualty => "人员伤病",
            HazardKind::Other => "其他异常",
        }
    }

    /// The English name, as the console's English screens show it.
    pub fn name_en(self) -> &'static str {
        match self {
            HazardKind::Piping => "piping",
            HazardKind::Seepage => "seepage",
            HazardKind::Sliding => "slope sliding",
            HazardKind::Collapse => "bank collapse",
            HazardKind::RootStone => "root stones lost",
            HazardKind::Overtopping => "overtopping",
            HazardKind::Breach => "main dike breach",
            HazardKind::ProductionDikeBreach => "production dike breach",
            HazardKind::RoadCut => "road cut",
            HazardKind::Waterlogging => "waterlogging",
            HazardKind::PeopleTrapped => "people trapped",
            HazardKind::PublicSafety => "public-safety report",
            HazardKind::StaffCasualty => "staff casualty",
            HazardKind::Other => "other anomaly",
        }
    }

    /// The severity a drill gives a reported hazard of this kind (1 minor .. 3 major): failures
    /// of the dike and people in danger 3, other engineering hazards and waterlogging 2, the
    /// rest 1.
    pub fn default_severity(self) -> u8 {
        match self {
            HazardKind::Piping
            | HazardKind::Sliding
            | HazardKind::Collapse
            | HazardKind::Overtopping
            | HazardKind::Breach
            | HazardKind::ProductionDikeBreach
            | HazardKind::PeopleTrapped
            | HazardKind::StaffCasualty => 3,
            HazardKind::Seepage
            | HazardKind::RootStone
            | HazardKind::Waterlogging
            | HazardKind::RoadCut => 2,
            HazardKind::PublicSafety | HazardKind::Other => 1,
        }
    }
}
