#!/usr/bin/env bash
# The shipped answer model, stage by stage (docs/reader.md, "Training"). Needs the train extra:
#     .venv/bin/pip install -e '.[dev,train]'
#     bash training/recipe.sh                  # about an hour on 2 quiet cores
# Every stage checkpoints to $WORK and resumes when run again; a finished stage only re-evaluates.
# The last stage writes src/uccn_bot/data/reader.npz and its manifest (override with EXPORT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${WORK:-runs/reader}
EXPORT=${EXPORT:-src/uccn_bot/data/reader.npz}
# e5 layers 0-5 frozen (their states cached once), layers 6-11 and both heads trained.
train() { "$PY" training/train_reader.py --work "$WORK" --cross 6 --joint 6 --hard-negatives 1 \
    --valid-questions 300 --warmup 50 --augment-lower 0.5 "$@"; }

# Every stage sees each training pair as written and half of them again as people often type a question: in
# lower case, without its "?" (--augment-lower 0.5; docs/reader.md, "Questions as people type them").

# 1. Answerability: IDK-MRC train alone (its unanswerable questions teach "on topic, does not say it"),
#    a light span loss. 2,475 steps.
train --sources idk_mrc --span-weight 0.1 --epochs 3 --eval-every 400 --lr-body 3e-5 --lr-head 1e-3

# 2. Spans and news: TyDi QA's answers join the span loss only (no score target: its easy negatives drowned
#    answerability), FacQA both losses with one other passage as negative, the span loss weighed as much as
#    the score's. 1,941 steps.
train --sources idk_mrc,facqa --span-sources tydiqa --span-weight 1.0 --epochs 1.5 --eval-every 400 \
    --lr-body 2e-5 --lr-head 5e-4 --init-from "$WORK/ckpt_full_c6_j6_idk_mrc_n1_w0.1_lower0.5.pt" \
    --export "$EXPORT"
