//! Shell integration: `completions` (clap_complete), `man` (clap_mangen) and `init`, a key
//! binding that opens the picker and leaves `codex resume <id>` on the command line to run or
//! edit — generated from the same clap definition, so they never drift from `--help`.

use clap::CommandFactory;

use super::Io;
use crate::cli::{Cli, InitShell};
use crate::error::{Error, Result};

/// `rolldex completions SHELL`.
pub fn completions(shell: clap_complete::Shell, io: &mut Io<'_>) -> Result<()> {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "rolldex", io.out);
    Ok(())
}

/// `rolldex man`: the man page, roff.
pub fn man(io: &mut Io<'_>) -> Result<()> {
    clap_mangen::Man::new(Cli::command())
        .render(io.out)
        .map_err(|e| Error::io("<stdout>", e))
}

/// `rolldex init SHELL`: the key binding's script.
pub fn init(shell: InitShell, io: &mut Io<'_>) -> Result<()> {
    let script = match shell {
        InitShell::Bash => BASH,
        InitShell::Zsh => ZSH,
        InitShell::Fish => FISH,
    };
    io.out
        .write_all(script.as_bytes())
        .map_err(|e| Error::io("<stdout>", e))
}

/// The picker draws on /dev/tty, so its stdout is only the command line it prints: `codex
/// resume <id>`, quoted for the shell, with `-c model_provider=…` when codex needs it.
const BASH: &str = r#"# rolldex: Ctrl-G picks a Codex session and puts `codex resume <id>` on the line.
__rolldex_pick() {
  local line
  line="$(rolldex pick --print-command -- "$READLINE_LINE")" || return
  READLINE_LINE="$line"
  READLINE_POINT=${#READLINE_LINE}
}
bind -x '"\C-g": __rolldex_pick'
"#;

const ZSH: &str = r#"# rolldex: Ctrl-G picks a Codex session and puts `codex resume <id>` on the line.
__rolldex_pick() {
  local line
  line="$(rolldex pick --print-command -- "$BUFFER" </dev/tty)"
  if [[ $? -eq 0 && -n $line ]]; then
    BUFFER="$line"
    CURSOR=${#BUFFER}
  fi
  zle reset-prompt
}
zle -N __rolldex_pick
bindkey '^G' __rolldex_pick
"#;

const FISH: &str = r#"# rolldex: Ctrl-G picks a Codex session and puts `codex resume <id>` on the line.
function __rolldex_pick
    set -l line (rolldex pick --print-command -- (commandline) </dev/tty)
    if test $status -eq 0 -a -n "$line"
        commandline -r -- $line
    end
    commandline -f repaint
end
bind \cg __rolldex_pick
"#;
