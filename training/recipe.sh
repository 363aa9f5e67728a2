#!/usr/bin/env bash
# The shipped answer model, stage by stage (docs/reader.md, "Training"). Needs the train extra:
#     .venv/bin/pip install -e '.[dev,train]'
#     bash training/recipe.sh                  # about 90 minutes of training on 2 quiet cores
# Every stage checkpoints to $WORK and resumes when run again; a finished stage only re-evaluates.
# The last stage writes src/uccn_bot/data/reader.npz and its manifest (override with EXPORT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
WORK=${WORK:-runs/reader}
EXPORT=${EXPORT:-src/uccn_bot/data/reader.npz}
train() { "$PY" training/train_reader.py --work "$WORK" --cross 8 --joint 4 --hard-negatives 1 \
    --valid-questions 300 --warmup 50 "$@"; }

# 1. Answerability: IDK-MRC train alone (its unanswerable questions teach "on topic, does not say it"),
#    a light span loss. 1,650 steps.
train --sources idk_mrc --span-weight 0.1 --epochs 3 --eval-every 300 --lr-body 3e-5 --lr-head 1e-3

# 2. Spans: TyDi QA's and FacQA's answers join the span loss only (no score target), heavier span weight.
#    777 steps.
train --sources idk_mrc --span-sources tydiqa,facqa --span-weight 0.5 --epochs 1 --eval-every 200 \
    --lr-body 2e-5 --lr-head 5e-4 --init-from "$WORK/ckpt_full_c8_j4_idk_mrc_n1_w0.1.pt"

# 3. More of the same with the span loss weighed as much as the score's. 1,165 steps.
train --sources idk_mrc --span-sources tydiqa,facqa --span-weight 1.0 --epochs 1.5 --eval-every 400 \
    --lr-body 2e-5 --lr-head 5e-4 --init-from "$WORK/ckpt_full_c8_j4_idk_mrc_spans-tydiqa+facqa_n1_w0.5_phase2.pt"

# 4. FacQA (news) joins the score loss too, with its one other passage as negative: stage 2-3 had let the
#    score drift on news passages, which the score had never been trained on. 864 steps.
train --sources idk_mrc,facqa --span-sources tydiqa --span-weight 1.0 --epochs 1 --eval-every 400 \
    --lr-body 2e-5 --lr-head 5e-4 --init-from "$WORK/ckpt_full_c8_j4_idk_mrc_spans-tydiqa+facqa_n1_w1_phase2.pt" \
    --export "$EXPORT"
