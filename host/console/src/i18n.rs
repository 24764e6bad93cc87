//! The console's two languages: Simplified Chinese (the default:
//! `<html lang="zh-CN">`) and English, switchable on every page (a cookie
//! remembers the choice). Texts the models wrote — titles, notes, reasons —
//! are shown as written, never translated.

use axum::http::HeaderMap;

/// A page language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The code in URLs and the cookie: `zh` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of the page: `zh-CN` or `en`.
    pub fn html(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    /// The other one.
    pub fn other(self) -> Lang {
        match self {
            Lang::Zh => Lang::En,
            Lang::En => Lang::Zh,
        }
    }

    /// From a code (`zh`, `en`); anything else is `None`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The request's language: its cookie, else Chinese.
    pub fn of(headers: &HeaderMap) -> Lang {
        crate::session::cookie(headers, crate::session::LANG_COOKIE)
            .and_then(Lang::from_code)
            .unwrap_or_default()
    }
}

/// The texts of one language, for templates: `t.t("key")`.
#[derive(Clone, Copy, Debug)]
pub struct T(pub Lang);

impl T {
    /// The text of `key`; a key missing from [`TEXTS`] shows as itself
    /// (a unit test checks that every key the templates use is there).
    pub fn t(&self, key: &str) -> &'static str {
        match TEXTS.iter().find(|(k, _, _)| *k == key) {
            Some((_, zh, en)) => match self.0 {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "console: no text for this key");
                "?"
            }
        }
    }

    /// The page's language.
    pub fn lang(&self) -> Lang {
        self.0
    }

    /// The `lang` attribute for the page.
    pub fn html_lang(&self) -> &'static str {
        self.0.html()
    }

    /// The other language's name, in that language (the switch's text).
    pub fn other_name(&self) -> &'static str {
        match self.0 {
            Lang::Zh => "English",
            Lang::En => "中文",
        }
    }

    /// The other language's `lang` attribute.
    pub fn other_html_lang(&self) -> &'static str {
        self.0.other().html()
    }
}

/// Every text: key, Chinese, English.
pub const TEXTS: &[(&str, &str, &str)] = &[
    ("console", "信用模型控制台", "credit model console"),
    ("main_nav", "主导航", "Main navigation"),
    ("nav_review", "模型审核", "Review"),
    ("nav_keys", "签名密钥", "Signing keys"),
    ("nav_subjects", "主体记录", "People's records"),
    ("nav_me", "我的记录", "My records"),
    ("my_records", "我的信用评价记录", "My credit evaluations"),
    (
        "my_records_help",
        "这里列出对您的每一次评价(时间、调用的应用、模型及版本、所涉事项、白盒明细、未提供给模型的记录),以及每一次对您记录的查阅。您打开本页本身也会被记录。",
        "Every evaluation of you (when, by which app, which model and version, for which benefit, the white box, the records withheld from the model) and every read of your records. Opening this page is itself recorded.",
    ),
    ("subject_records", "信用主体的记录", "A person's records"),
    (
        "subject_records_help",
        "某一信用主体的全部评价记录和对其记录的全部查阅。您的查阅会被记录,本人可以看到。",
        "Every evaluation of one person and every read of their records. Your reading is recorded, and they see it.",
    ),
    ("evaluations_of_subject", "评价记录", "Evaluations"),
    (
        "reads_of_records",
        "记录被查阅情况",
        "Reads of these records",
    ),
    (
        "no_evaluations_kept",
        "没有保存的评价记录(或已按保存期限删除)。",
        "No evaluation kept (or erased when its retention ended).",
    ),
    ("at_time", "时间", "When"),
    ("benefit", "所涉事项", "Benefit"),
    ("white_box", "白盒明细", "White box"),
    ("reader", "查阅者", "Reader"),
    ("what_was_read", "查阅内容", "What was read"),
    (
        "erase_subject",
        "删除此人的个人信息",
        "Erase this person from the records",
    ),
    (
        "erase_subject_help",
        "删除其每条记录中的个人部分(身份、白盒、决定)和输入;日志及所有证明仍可验证,删除本身记入日志(不含其身份)。",
        "Erases the personal part (identity, white box, decision) and the input of each of their records; the log and every proof still verify, and the erasure is itself a record (which does not name them).",
    ),
    ("erase_reason", "删除原因", "Reason for erasing"),
    ("erase", "删除", "Erase"),
    ("erased_records", "已删除的记录数", "Records erased"),
    ("reader_self", "本人", "The person themselves"),
    (
        "personal_erased",
        "此记录涉及个人的部分(身份、白盒、决定)已删除",
        "The personal part of this record (identity, white box, decision) was erased",
    ),
    ("read_replay", "重放记录", "Replay of record"),
    ("read_proof", "记录的存在性证明", "Proof of record"),
    ("read_record", "记录", "Record"),
    ("read_dispute", "异议", "Dispute"),
    ("read_list", "记录列表", "The list of records"),
    (
        "read_search",
        "出现在日志检索结果中",
        "Listed in a search of the log",
    ),
    ("read_consents", "授权记录", "Consents"),
    ("read_disputes", "异议列表", "Disputes (a list)"),
    ("read_repairs", "信用修复记录", "Credit repairs"),
    (
        "other_records",
        "其他记录(授权、异议、修复、凭证)",
        "Other records (consents, disputes, repairs, tokens)",
    ),
    ("action", "事项", "Action"),
    ("actor", "办理者", "By"),
    ("signing_keys", "模块签名密钥", "Module signing keys"),
    (
        "signing_keys_help",
        "为各发布方命名空间登记其开发者的 SSH 公钥(仅限 Ed25519)。登记后,该命名空间只接受由有效密钥签名的模块;撤销的密钥不能再批准其签名的版本,已生效的版本被标记待复核,不会被静默撤下。",
        "Register the SSH public keys (Ed25519 only) of each publisher namespace's developers. A namespace with keys takes only modules signed by a live one; a revoked key can no longer have what it signed approved, and the versions in force it signed are flagged for review, not silently unpinned.",
    ),
    (
        "no_keys",
        "尚未登记密钥:此命名空间接受未签名的模块。",
        "No keys registered: this namespace takes unsigned modules.",
    ),
    ("fingerprint", "指纹", "Fingerprint"),
    ("key_label", "密钥说明", "Whose key"),
    ("registered_by", "登记人", "Registered by"),
    ("key_live", "有效", "Live"),
    ("key_revoked", "已撤销", "Revoked"),
    ("ssh_public_key", "SSH 公钥", "SSH public key"),
    ("register_key", "登记密钥", "Register key"),
    ("nav_audit", "评价审计", "Audit"),
    ("nav_log", "审计日志", "Audit log"),
    ("skip", "跳到正文", "Skip to content"),
    ("switch_lang", "切换语言", "Switch language"),
    ("signed_in_as", "当前身份", "Signed in as"),
    ("sign_in", "登录", "Sign in"),
    ("sign_out", "退出", "Sign out"),
    ("sign_in_title", "登录控制台", "Sign in to the console"),
    (
        "sign_in_help",
        "粘贴省级、审计、发布方或应用的访问令牌。令牌只在服务器端保存,不会写入浏览器。",
        "Paste your province, auditor, publisher or app token. It is kept on the server only, never in the browser.",
    ),
    ("token", "访问令牌", "Token"),
    (
        "session_ended",
        "会话已结束:令牌已失效,请重新登录。",
        "Your session ended: the token is no longer valid. Sign in again.",
    ),
    ("signed_out", "已退出。", "Signed out."),
    ("home_title", "工作台", "Home"),
    (
        "home_province",
        "您持有省级令牌:可以审核、批准、锁定和撤销模型版本,并查阅审计日志。",
        "You hold a province token: you review, approve, pin and revoke model versions, and read the audit log.",
    ),
    (
        "home_auditor",
        "您持有审计令牌:可以查找评价、重放评价、下载包含证明并验证日志。",
        "You hold an auditor token: you find evaluations, replay them, download inclusion proofs and verify the log.",
    ),
    (
        "home_other",
        "您持有应用令牌:可以查看授权的模型与场景、本应用的评价与决定以及批量任务。",
        "You hold an app token: you see the models and scenarios it is granted, this app's evaluations and decisions, and its batch runs.",
    ),
    (
        "waiting_review",
        "待审核版本",
        "Versions waiting for review",
    ),
    ("review_queue", "审核队列", "Review queue"),
    (
        "review_queue_help",
        "已提交但尚未批准的模型版本。打开一个版本,查看其影响,确认哈希后批准。",
        "Versions submitted and not yet approved. Open one, read its impact, confirm its hash and approve.",
    ),
    ("model", "模型", "Model"),
    ("version", "版本", "Version"),
    ("status", "状态", "Status"),
    ("publisher", "发布方", "Publisher"),
    ("published_at", "提交时间", "Submitted"),
    ("pinned", "当前锁定版本", "Pinned version"),
    ("none", "无", "none"),
    (
        "nothing_waiting",
        "没有待审核的版本。",
        "Nothing is waiting for review.",
    ),
    ("all_versions", "所有版本", "All versions"),
    ("sha256", "SHA-256", "SHA-256"),
    ("size", "大小(字节)", "Size (bytes)"),
    ("describe", "模型声明 describe()", "The model's describe()"),
    ("indicators", "指标", "Indicators"),
    ("grades", "等级", "Grades"),
    ("consequences", "声明的后果", "Consequences"),
    (
        "consequences_hint",
        "无论得分多少，模型在下列情形下的处理（如省公共信用评价等级较差、列入名单、禁止申报），及其依据。",
        "What the model does whatever the points when a condition holds (a poor provincial grade, a list, a prohibition), and where the source says so.",
    ),
    ("when", "情形", "When"),
    ("effect", "处理", "Effect"),
    ("source", "依据", "Source"),
    ("scale", "分值范围", "Scale"),
    (
        "diff_pinned",
        "与锁定版本的差异",
        "Difference from the pinned version",
    ),
    ("added", "新增", "Added"),
    ("removed", "删除", "Removed"),
    ("changed", "变更", "Changed"),
    (
        "no_difference",
        "声明无差异。",
        "The declarations do not differ.",
    ),
    ("impact", "影响分析", "Impact analysis"),
    (
        "impact_help",
        "用候选版本重放锁定版本最近记录的评价(每个主体取最新一次,最多 1,000 个主体)。在后台计算,页面不会被阻塞。",
        "Replays the pinned version's latest recorded evaluation of each of up to 1,000 subjects through the candidate. Computed in the background; the page is never blocked.",
    ),
    ("impact_start", "计算影响", "Compute impact"),
    ("impact_again", "重新计算", "Compute again"),
    ("running", "计算中", "Running"),
    ("elapsed", "已用时间(秒)", "Elapsed (s)"),
    (
        "progress_note",
        "进度按已用时间显示;完成后页面自动刷新。",
        "Progress is shown as time elapsed; the page reloads when it is done.",
    ),
    ("failed", "失败", "Failed"),
    ("migration", "等级迁移矩阵", "Grade migration matrix"),
    (
        "migration_help",
        "行:锁定版本的等级;列:候选版本的等级;颜色越深人数越多。",
        "Rows: grade under the pinned version; columns: grade under the candidate; darker means more subjects.",
    ),
    (
        "distribution",
        "分数分布(前后叠加)",
        "Score distribution, before and after",
    ),
    ("before", "之前", "Before"),
    ("after", "之后", "After"),
    ("movers", "变动最大的主体", "Subjects who move most"),
    ("subject", "主体", "Subject"),
    ("delta", "变化", "Change"),
    ("contributions", "逐项贡献", "Contributions"),
    ("new_failures", "新增失败", "New failures"),
    ("subjects_compared", "比较的主体数", "Subjects compared"),
    (
        "changed_grade",
        "等级变化的主体",
        "Subjects whose grade changes",
    ),
    ("report_sha", "报告 SHA-256", "Report SHA-256"),
    ("record", "审计记录", "Audit record"),
    ("actions", "操作", "Actions"),
    ("approve", "批准", "Approve"),
    ("four_eyes", "双人复核", "Four-eyes review"),
    (
        "four_eyes_help",
        "版本须经省级不同人员(发布者本人不计)各自核对同一 SHA-256 并批准,达到法定人数后方可锁定生效。",
        "A version may be pinned only once the quorum of distinct persons of the province, never its publisher, each approved the same SHA-256.",
    ),
    ("quorum", "法定人数", "Quorum"),
    (
        "definitions_waiting",
        "待批准的场景与组合评分定义",
        "Scenario and composite definitions waiting for approval",
    ),
    (
        "definitions_help",
        "信用应用场景与组合评分由一人提出,须经提出人以外的省级不同人员达到法定人数后方可生效;请核对定义及其 SHA-256 后批准。",
        "A benefit scenario or composite is proposed by one person and comes into force once the quorum of other persons of the province approved it: read the definition and confirm its SHA-256.",
    ),
    ("definition_kind", "类型", "Kind"),
    ("definition_name", "名称", "Name"),
    ("proposed_by", "提出人", "Proposed by"),
    ("definition", "定义", "Definition"),
    (
        "confirm_definition_hash",
        "请输入该定义完整的 SHA-256 以确认",
        "Type the definition's full SHA-256 to confirm",
    ),
    ("approved_by", "已批准", "Approved by"),
    ("nobody_yet", "尚无人批准", "Nobody yet"),
    ("still_needed", "仍需批准人数", "Approvals still needed"),
    (
        "approved_before_review",
        "在双人复核启用前已批准(无批准记录)",
        "Approved before four-eyes review (no approvals recorded)",
    ),
    ("signature", "模块签名", "Module signature"),
    ("signed_by_key", "签名密钥", "Signed by key"),
    ("unsigned", "未签名", "Unsigned"),
    (
        "key_revoked_flag",
        "签名密钥已被撤销:此版本需重新审查,且不能再被批准",
        "The signing key was revoked: this version is flagged for review and can no longer be approved",
    ),
    ("pin", "锁定为生效版本", "Pin as the version in force"),
    ("revoke", "撤销", "Revoke"),
    (
        "confirm_hash",
        "请输入模块的完整 SHA-256 以确认(与命令行相同)",
        "Type the module's full SHA-256 to confirm (as the CLI asks)",
    ),
    ("reason", "撤销原因", "Reason for revoking"),
    ("shadow", "影子运行", "Shadow"),
    (
        "shadow_help",
        "影子运行时,每次对锁定版本的评价也会用此版本计算并比较,结果不返回给应用。",
        "While shadowing, every evaluation of the pinned version is also run through this version and compared; apps never see its result.",
    ),
    ("shadow_start", "开始影子运行", "Start shadowing"),
    ("shadow_stop", "停止影子运行", "Stop shadowing"),
    (
        "shadow_on",
        "此版本正在影子运行。",
        "This version is being shadowed.",
    ),
    ("shadow_compare", "影子比较", "Shadow comparison"),
    (
        "shadow_compare_start",
        "计算影子比较",
        "Compute the shadow comparison",
    ),
    ("done", "已完成", "Done"),
    ("audit_title", "查找评价", "Find evaluations"),
    ("evaluation_id", "评价编号", "Evaluation id"),
    ("open", "打开", "Open"),
    ("caller", "调用方", "Caller"),
    ("from", "开始日期", "From"),
    ("to", "结束日期", "To"),
    ("outcome", "结果", "Outcome"),
    ("any", "全部", "any"),
    ("ok", "成功", "ok"),
    ("search", "查找", "Search"),
    ("results", "结果", "Results"),
    ("at", "时间", "When"),
    ("score", "分数", "Score"),
    ("grade", "等级", "Grade"),
    ("no_results", "没有找到评价。", "No evaluations found."),
    ("indexed", "已索引的日志记录", "Log records indexed"),
    ("next_page", "下一页", "Next page"),
    ("evaluation", "评价", "Evaluation"),
    (
        "waterfall",
        "白盒:从基础分到总分",
        "White box: from the base to the score",
    ),
    ("points", "分值", "Points"),
    ("note", "说明", "Note"),
    ("reasons", "主要原因", "Reasons"),
    (
        "withheld",
        "未提供给模型的记录",
        "Records withheld from the model",
    ),
    ("fuel", "燃料(确定性成本)", "Fuel (deterministic cost)"),
    ("module_hash", "模块哈希", "Module hash"),
    ("as_of", "评价日期", "As of"),
    ("data_from", "数据来源", "Data from"),
    ("input", "输入", "Input"),
    (
        "erased",
        "输入已按保留期删除",
        "The input was erased at the end of its retention",
    ),
    ("replay", "重放", "Replay"),
    (
        "replay_help",
        "用记录中的模块字节和输入重新运行,并与记录比较。",
        "Re-runs the recorded module bytes on the recorded input and compares with the record.",
    ),
    (
        "identical",
        "一致:重放结果与记录完全相同。",
        "Identical: the replay matches the record exactly.",
    ),
    ("different", "不一致:", "Different:"),
    ("proof", "下载包含证明", "Download the inclusion proof"),
    (
        "proof_help",
        "离线验证:scorehost audit proof --check 证明文件.json --public-key 日志公钥",
        "Check it offline: scorehost audit proof --check PROOF.json --public-key KEY",
    ),
    ("log_title", "审计日志", "Audit log"),
    (
        "checkpoints",
        "最近的签名检查点",
        "Latest signed checkpoints",
    ),
    ("tree_size", "记录数", "Records"),
    ("root_hash", "根哈希", "Root hash"),
    ("signed_at", "签名时间", "Signed at"),
    ("public_key", "日志公钥", "Log public key"),
    ("verify", "验证整个日志", "Verify the whole log"),
    (
        "verify_help",
        "重新计算整棵树并检查每个检查点。在后台运行。",
        "Recomputes the whole tree and checks every checkpoint. Runs in the background.",
    ),
    ("verified", "日志验证通过", "The log verifies"),
    ("records", "记录", "records"),
    ("error", "错误", "Error"),
    ("back_home", "返回工作台", "Back to home"),
    (
        "heatmap_label",
        "等级迁移热力图",
        "Grade migration heat map",
    ),
    ("hist_label", "分数分布图", "Score distribution chart"),
    ("waterfall_label", "白盒瀑布图", "White-box waterfall chart"),
    (
        "chart_table_note",
        "图表下方的表格列出相同的数据。",
        "The table below the chart lists the same data.",
    ),
    ("total", "合计", "Total"),
    ("nav_disputes", "争议处理", "Disputes"),
    ("nav_app", "本应用", "This app"),
    ("overview", "概览(近 14 天)", "Overview (last 14 days)"),
    ("evaluations_14d", "评价次数", "Evaluations"),
    ("disputes_to_check", "待核查异议", "Disputes to check"),
    ("disputes_to_answer", "待答复异议", "Disputes to answer"),
    (
        "per_model_day",
        "各模型每日评价次数",
        "Evaluations per model per day",
    ),
    ("failures_by_kind", "失败(按类型)", "Failures by kind"),
    ("latency", "沙箱调用耗时", "Time in the sandbox"),
    ("count", "次数", "Count"),
    ("mean_ms", "平均(毫秒)", "Mean (ms)"),
    ("max_ms", "最长(毫秒)", "Max (ms)"),
    ("nav_publish", "模型发布", "Publish"),
    ("publish_title", "发布模型", "Publish models"),
    ("upload", "上传模块", "Upload a module"),
    (
        "upload_help",
        "上传后服务会编译并检查模块(导入、describe() 是否与名称和版本一致);通过后进入省级审核队列。",
        "The service compiles and checks the module on upload (its imports, and that describe() names this model and version); a module it accepts joins the province's review queue.",
    ),
    (
        "drop_here",
        "把 .wasm 文件拖到这里,或选择文件",
        "Drop the .wasm file here, or choose it",
    ),
    (
        "your_versions",
        "本命名空间的版本",
        "Your namespace's versions",
    ),
    (
        "app_title",
        "应用:授权、评价与批量任务",
        "App: grants, evaluations and batches",
    ),
    ("granted", "令牌授权", "What the token is granted"),
    ("models", "模型", "Models"),
    ("scenarios", "惠民场景", "Benefit scenarios"),
    (
        "own_evaluations",
        "本应用的评价与决定",
        "This app's evaluations and decisions",
    ),
    ("batches", "批量任务", "Batch runs"),
    ("batch", "批量任务", "Batch"),
    ("no_batches", "没有批量任务。", "No batch runs."),
    ("progress", "进度", "Progress"),
    (
        "home_publisher",
        "您持有发布方令牌:可以在期限内答复针对您提供的记录的异议。模块上传页面尚未加入控制台,请使用命令行(scorehost plugin publish)。",
        "You hold a publisher token: you answer, within their deadline, the disputes about the records you furnished. Uploading modules is not in the console yet; use the CLI (scorehost plugin publish).",
    ),
    ("disputes_title", "信用信息异议", "Disputes"),
    (
        "disputes_help",
        "期限按工作日计算:受理核查 2 日、信息提供单位答复 5 日、办结 20 日。逾期的排在最前。",
        "Deadlines are in working days: 2 to check, 5 for the furnishing source to answer, 20 to close. Overdue disputes come first.",
    ),
    ("disputes_open", "处理中的异议", "Open disputes"),
    ("no_disputes", "没有处理中的异议。", "No open disputes."),
    ("dispute", "异议", "Dispute"),
    ("indicator", "指标", "Indicator"),
    ("filed_at", "提出时间", "Filed"),
    ("next_due", "下一期限", "Next deadline"),
    ("overdue", "逾期", "Overdue"),
    ("today", "今天", "Today"),
    ("repair", "信用修复", "Credit repair"),
    (
        "repair_help",
        "标记一条记录已修复(义务已履行):此后不再提供给模型,并写入审计日志。",
        "Mark a record repaired (the obligation was fulfilled): models no longer see it, and the step is in the audit log.",
    ),
    ("observed_on", "记录日期", "Record date"),
    ("repair_reason", "修复依据", "How it was repaired"),
    ("disputed_value", "异议记录的值", "Disputed value"),
    ("furnisher", "信息提供单位", "Furnisher"),
    ("objection", "异议理由", "Objection"),
    ("filed_by", "提出人", "Filed by"),
    ("check_due", "核查期限", "Check by"),
    ("answer_due", "答复期限", "Answer by"),
    ("close_due", "办结期限", "Close by"),
    ("history", "处理记录", "History"),
    ("who", "操作人", "By"),
    ("step", "步骤", "Step"),
    ("check", "受理核查", "Check"),
    (
        "check_help",
        "转交信息提供单位核实,或以书面理由不予受理。",
        "Forward to the furnishing source to verify, or reject with a written reason.",
    ),
    ("verdict", "处理意见", "Verdict"),
    ("forward", "转交核实", "Forward"),
    ("reject", "不予受理", "Reject"),
    ("answer", "答复", "Answer"),
    (
        "answer_help",
        "信息提供单位在答复期限内答复:维持、更正(填写正确值)或删除。",
        "The furnishing source answers within its deadline: upheld, corrected (give the right value) or removed.",
    ),
    ("upheld", "维持", "Upheld"),
    ("corrected", "更正", "Corrected"),
    ("removed_record", "删除", "Removed"),
    (
        "corrected_value",
        "更正后的值(仅更正时填写)",
        "Corrected value (only when correcting)",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `t("key")` of every template, and every key used in Rust
    /// code, has both texts; no key is listed twice.
    #[test]
    fn every_key_the_templates_use_has_both_languages() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut used = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        let mut sources = Vec::new();
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    sources.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut stack = vec![std::path::PathBuf::from(src)];
        while let Some(p) = stack.pop() {
            for e in std::fs::read_dir(&p).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if !path.ends_with("i18n.rs") {
                    sources.push(std::fs::read_to_string(&path).unwrap());
                }
            }
        }
        for text in &sources {
            for part in text.split(".t(\"").skip(1) {
                if let Some(key) = part.split('"').next() {
                    used.push(key.to_string());
                }
            }
        }
        assert!(used.len() > 50, "found only {} keys", used.len());
        for key in &used {
            let found = TEXTS.iter().find(|(k, _, _)| k == key);
            let (_, zh, en) = found.unwrap_or_else(|| panic!("no text for key '{key}'"));
            assert!(
                !zh.is_empty() && !en.is_empty(),
                "key '{key}' lacks a language"
            );
        }
        let mut keys: Vec<_> = TEXTS.iter().map(|(k, _, _)| k).collect();
        keys.sort();
        let len = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), len, "a key is listed twice");
    }
}
