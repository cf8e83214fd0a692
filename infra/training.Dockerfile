# The training job as a SageMaker training container (GPU). Build from the repository root:
#   docker build -f infra/training.Dockerfile -t emotion-training .
# SageMaker runs it as `<image> train`; infra/sagemaker/entrypoint.py maps /opt/ml to the job.
# The base must ship the torch that pyproject's `train` extra pins (torch==2.13.0): its CUDA
# build comes from here, and the check below stops pip from swapping in another multi-GB build.
ARG BASE_IMAGE=pytorch/pytorch:2.13.0-cuda12.8-cudnn9-runtime
FROM ${BASE_IMAGE}

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/opt/program
WORKDIR /opt/program

# Dependencies first, so code edits do not reinstall them. README.md is the package's readme.
COPY pyproject.toml README.md ./
COPY layers/emotion_core layers/emotion_core
RUN before="$(python -c 'import torch; print(torch.__version__)')" \
 && pip install ".[train]" \
 && after="$(python -c 'import torch; print(torch.__version__)')" \
 && if [ "$before" != "$after" ]; then \
      echo "pip replaced torch $before with $after: use a BASE_IMAGE with the torch pyproject pins" >&2; exit 1; \
    fi

COPY training training
COPY infra infra

ENTRYPOINT ["python", "-m", "infra.sagemaker.entrypoint"]
