//! The subjects Xikou town scores. The three kinds of market subject, each
//! with its own second-level dimensions (where grid inspectors count the
//! problems they find) and honest-operation behaviours: merchants 9 and 5,
//! enterprises 5 and 4, farms 9 and 4 (L1427). And, since March 2020, the
//! town's residents (集镇居民, L1419), for whom the source gives no
//! second-level indicators: one grid count of our choice.

/// One subject type's indicator set.
#[derive(Debug)]
pub struct SubjectType {
    /// The `business_type` value, also the prefix of its indicators
    /// (`merchant_sanitation_problems`).
    pub name: &'static str,
    /// Second-level dimensions: indicator name and what the inspectors check.
    pub dimensions: &'static [(&'static str, &'static str)],
    /// Points of one dimension with no problem found.
    pub dimension_points: f64,
    /// Honest-operation behaviours: indicator name and the behaviour.
    pub behaviours: &'static [(&'static str, &'static str)],
    /// Points of one behaviour kept.
    pub behaviour_points: f64,
}

impl SubjectType {
    /// The type's grid points at full marks: 500 for every type.
    pub fn grid_max(&self) -> f64 {
        self.dimensions.len() as f64 * self.dimension_points
            + self.behaviours.len() as f64 * self.behaviour_points
    }

    /// Whether `indicator` is one of this type's own.
    pub fn owns(&self, indicator: &str) -> bool {
        self.dimensions
            .iter()
            .chain(self.behaviours)
            .any(|(n, _)| *n == indicator)
    }
}

/// Individual merchants on the town's market street (集镇商户).
pub const MERCHANT: SubjectType = SubjectType {
    name: "merchant",
    dimensions: &[
        (
            "merchant_shopfront_problems",
            "shopfront kept clean and clear (门前三包)",
        ),
        ("merchant_sanitation_problems", "sanitation (环境卫生)"),
        (
            "merchant_signboard_problems",
            "signboards in order (店招店牌)",
        ),
        ("merchant_fire_safety_problems", "fire safety (消防安全)"),
        (
            "merchant_goods_quality_problems",
            "quality of goods (商品质量)",
        ),
        (
            "merchant_licences_problems",
            "licences shown and valid (证照亮照)",
        ),
        (
            "merchant_waste_sorting_problems",
            "waste sorting (垃圾分类)",
        ),
        (
            "merchant_parking_order_problems",
            "orderly parking (车辆停放)",
        ),
        ("merchant_courtesy_problems", "courteous service (文明有礼)"),
    ],
    dimension_points: 40.0,
    behaviours: &[
        ("merchant_clear_prices", "prices clearly marked (明码标价)"),
        (
            "merchant_fair_measures",
            "full weights and measures (足斤足两)",
        ),
        (
            "merchant_no_counterfeits",
            "no counterfeit or shoddy goods (不售假冒伪劣)",
        ),
        ("merchant_receipts_issued", "receipts issued (开具票据)"),
        (
            "merchant_complaints_settled",
            "complaints settled promptly (投诉及时处理)",
        ),
    ],
    behaviour_points: 28.0,
};

/// Enterprises in the town (企业).
pub const ENTERPRISE: SubjectType = SubjectType {
    name: "enterprise",
    dimensions: &[
        ("enterprise_work_safety_problems", "work safety (安全生产)"),
        (
            "enterprise_environment_problems",
            "environmental protection (环境保护)",
        ),
        ("enterprise_fire_safety_problems", "fire safety (消防安全)"),
        ("enterprise_labour_problems", "labour relations (劳动用工)"),
        ("enterprise_site_order_problems", "site in order (厂区秩序)"),
    ],
    dimension_points: 72.0,
    behaviours: &[
        ("enterprise_contracts_kept", "contracts honoured (守合同)"),
        ("enterprise_wages_on_time", "wages paid on time (按时发薪)"),
        ("enterprise_taxes_on_time", "taxes paid on time (依法纳税)"),
        (
            "enterprise_quality_pledge",
            "quality pledge kept (质量承诺)",
        ),
    ],
    behaviour_points: 35.0,
};

/// Livestock farms (养殖场).
pub const FARM: SubjectType = SubjectType {
    name: "farm",
    dimensions: &[
        ("farm_manure_problems", "manure treatment (粪污处理)"),
        (
            "farm_epidemic_prevention_problems",
            "animal epidemic prevention (动物防疫)",
        ),
        (
            "farm_vet_drugs_problems",
            "proper use of veterinary drugs (兽药规范使用)",
        ),
        ("farm_feed_safety_problems", "feed safety (饲料安全)"),
        (
            "farm_carcass_disposal_problems",
            "harmless disposal of dead animals (病死动物无害化处理)",
        ),
        (
            "farm_site_sanitation_problems",
            "site sanitation (场区卫生)",
        ),
        (
            "farm_water_protection_problems",
            "water source protection (水源保护)",
        ),
        ("farm_odour_problems", "odour control (臭气控制)"),
        ("farm_records_problems", "farming records kept (养殖档案)"),
    ],
    dimension_points: 40.0,
    behaviours: &[
        (
            "farm_quarantine_declared",
            "animals declared for quarantine (申报检疫)",
        ),
        (
            "farm_no_banned_additives",
            "no banned additives (不用违禁添加物)",
        ),
        ("farm_traceable_sales", "sales traceable (销售可追溯)"),
        (
            "farm_contracts_kept",
            "delivery contracts honoured (守约交售)",
        ),
    ],
    behaviour_points: 35.0,
};

/// The three types, in `business_type` order.
pub const TYPES: [&SubjectType; 3] = [&MERCHANT, &ENTERPRISE, &FARM];

/// The town residents' (集镇居民) one grid indicator: problems grid workers
/// found with the resident in 12 months. Required for natural persons,
/// refused for market subjects.
pub const RESIDENT_GRID_PROBLEMS: &str = "resident_grid_problems";

/// What one problem costs a resident's grid part (of 500 points): 10, what
/// it costs in a merchant's or a farm's dimension (a quarter of 40).
pub const RESIDENT_PROBLEM_POINTS: f64 = 10.0;

/// The first day residents are scored: the source says they joined the
/// system in March 2020 (「今年3月份…将集镇居民…共同纳入」, L1419); the first
/// of that month is our choice (the source gives no day).
pub const RESIDENTS_FROM: &str = "2020-03-01";
