//! Rich vocabulary for `gen_history --vocabulary rich`: prose — user prompts, agent
//! commentary, final answers and titles, in English sprinkled with code references (paths,
//! `path:line:col`, names, hashes, versions, quantities), or mostly in Chinese, Japanese or
//! Korean in about 5 % of the sessions.
//!
//! Why: messages are what people search, and real ones mention the code they are about.
//! Draws only from the caller's text stream.

use super::words::{
    Case, Put, Vocab, ident, path, path_pos, quantity, type_name, var_case, version,
};
use super::{Rng, VERBS, WORDS};

const ZH: &[&str] = &[
    "我们需要先修复这个问题",
    "测试在本地可以通过",
    "但是在持续集成里失败了",
    "请检查一下配置文件",
    "构建已经成功",
    "这个函数的返回值不对",
    "内存占用明显偏高",
    "性能下降了不少",
    "我已经更新了依赖",
    "数据库迁移还没有执行",
    "缓存在重启后失效",
    "接口返回了错误码",
    "日志里显示超时",
    "下一步是重构这个模块",
    "代码审查时发现",
    "边界情况没有处理",
    "用户反馈说页面很慢",
    "这里的索引需要重建",
    "先写一个能复现的测试",
    "然后再提交补丁",
];
const JA: &[&str] = &[
    "まずこの不具合を直す必要があります",
    "ローカルではテストが通ります",
    "しかしCIでは失敗しています",
    "設定ファイルを確認してください",
    "ビルドは成功しました",
    "この関数の戻り値が正しくありません",
    "メモリ使用量がかなり多いです",
    "性能がかなり落ちています",
    "依存関係を更新しました",
    "マイグレーションがまだ実行されていません",
    "再起動後にキャッシュが無効になります",
    "APIがエラーコードを返しました",
    "ログにタイムアウトが出ています",
    "次にこのモジュールをリファクタリングします",
    "レビューで見つかりました",
    "境界条件が処理されていません",
    "再現するテストを先に書きます",
    "そのあとでパッチを提出します",
];
const KO: &[&str] = &[
    "먼저 이 문제를 고쳐야 합니다",
    "로컬에서는 테스트가 통과합니다",
    "하지만 CI에서는 실패합니다",
    "설정 파일을 확인해 주세요",
    "빌드는 성공했습니다",
    "이 함수의 반환값이 잘못되었습니다",
    "메모리 사용량이 너무 많습니다",
    "의존성을 업데이트했습니다",
    "로그에 타임아웃이 보입니다",
    "다음으로 이 모듈을 리팩터링합니다",
    "경계 조건이 처리되지 않았습니다",
    "재현 테스트를 먼저 작성합니다",
];

/// A code-ish token inside prose, in backticks.
pub fn code_ref(v: Vocab, r: &mut Rng, t: &mut String) {
    t.push('`');
    match r.below(12) {
        0..=2 => {
            path(v, r, t);
        }
        3 => {
            path_pos(v, r, t);
        }
        4..=6 => {
            let lang = v.file_lang(r);
            ident(v, r, t, var_case(lang));
            if r.pm(400) {
                t.push_str("()");
            }
        }
        7 | 8 => type_name(v, r, t),
        9 => {
            type_name(v, r, t);
            t.push_str("::");
            ident(v, r, t, Case::Snake);
        }
        10 => {
            let n = r.pick(&[7, 7, 12, 40]);
            t.hex(r, n);
        }
        _ => {
            ident(v, r, t, Case::Screaming);
        }
    }
    t.push('`');
}

fn cjk_sentence(v: Vocab, r: &mut Rng, t: &mut String) {
    let table = match v.cjk {
        1 => ZH,
        2 => JA,
        _ => KO,
    };
    let sep = if v.cjk == 3 { " " } else { "，" };
    for i in 0..r.range(1, 4) {
        if i > 0 {
            t.push_str(sep);
        }
        t.push_str(r.pick(table));
        if r.pm(350) {
            t.push_str(if v.cjk == 3 { " " } else { "：" });
            code_ref(v, r, t);
        }
    }
    t.push_str(if v.cjk == 3 { ". " } else { "。" });
}

pub fn sentence(v: Vocab, r: &mut Rng, t: &mut String) {
    if v.cjk != 0 && r.pm(750) {
        cjk_sentence(v, r, t);
        return;
    }
    let n = r.range(6, 18);
    for i in 0..n {
        if i > 0 {
            t.push(' ');
        }
        match r.below(20) {
            0..=3 => code_ref(v, r, t),
            4 => quantity(r, t),
            5 if r.pm(300) => {
                t.push('v');
                version(r, t);
            }
            _ => {
                let w = r.pick(WORDS);
                if i == 0 {
                    super::cap_push(t, w);
                } else {
                    t.push_str(w);
                }
            }
        }
    }
    t.push_str(r.pick(&[".", ".", ".", ":", "?", "!"]));
}

pub fn prose(v: Vocab, r: &mut Rng, t: &mut String, len: usize) {
    let stop = t.len() + len;
    loop {
        sentence(v, r, t);
        if t.len() >= stop {
            break;
        }
        t.push_str(if r.pm(150) { "\n\n" } else { " " });
    }
}

pub fn title(v: Vocab, r: &mut Rng, t: &mut String) {
    if v.cjk != 0 && r.pm(600) {
        t.push_str(r.pick(match v.cjk {
            1 => ZH,
            2 => JA,
            _ => KO,
        }));
        return;
    }
    t.push_str(r.pick(VERBS));
    for _ in 0..r.range(1, 3) {
        t.push(' ');
        t.push_str(r.pick(WORDS));
    }
    t.push(' ');
    code_ref(v, r, t);
}

/// A final answer: a sentence, then bullet points about files, then a test line.
pub fn final_answer(v: Vocab, r: &mut Rng, t: &mut String, len: usize) {
    let stop = t.len() + len;
    sentence(v, r, t);
    t.push_str("\n\n");
    loop {
        t.push_str("- ");
        t.push_str(r.pick(&[
            "Updated", "Added", "Removed", "Fixed", "Moved", "Renamed", "Tested",
        ]));
        t.push_str(" `");
        path_pos(v, r, t);
        t.push_str("` ");
        sentence(v, r, t);
        t.push('\n');
        if r.pm(120) {
            t.push('\n');
            sentence(v, r, t);
            t.push_str("\n\n");
        }
        if t.len() >= stop {
            break;
        }
    }
    t.push_str("\nTests: `");
    t.push_str(r.pick(&[
        "cargo test",
        "cargo test --workspace",
        "npm test",
        "pytest -q",
        "go test ./...",
        "make check",
    ]));
    t.p("` ran ").u(r.logish(1, 3000)).p(" tests, ");
    t.p(r.pick(&[
        "all passing.",
        "all passing locally.",
        "1 unrelated failure.",
        "2 flaky.",
    ]));
}
