# zsh -f zsh_complete.zsh FPATH_DIR 'COMMAND LINE'
# Types COMMAND LINE and Tab in an interactive zsh (zpty) whose fpath starts with FPATH_DIR, and
# prints the candidates the completion offered, one a line (compadd wrapped to show them). Reads
# for 3 s: the completion may ask the program itself.
zmodload zsh/zpty || exit 77
zpty z zsh -f -i
zpty -w z "PROMPT='' RPROMPT=''"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; (( ${#__hits} )) && print -rl -- "<hit>"${^__hits}; builtin compadd "$@" }'
zpty -w z "bindkey '^I' complete-word"
zpty -n -w z "$2"$'\t'
typeset -F SECONDS
float end=$(( SECONDS + 3 ))
while (( SECONDS < end )); do
  if zpty -r -t z line; then
    [[ $line == *'<hit>'* ]] && print -r -- ${${line#*<hit>}%%$'\r'*}
  else
    sleep 0.05
  fi
done
zpty -d z
