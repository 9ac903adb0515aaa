#!/usr/bin/python3
"""Builds a small tree as a Samba file server stores it: each file and directory carries the security.NTACL
extended attribute (version 4, as smbd's vfs_acl_xattr writes it), encoded with Samba's own NDR code from
python3-samba. Run as root (security.* attributes need CAP_SYS_ADMIN):  /usr/bin/python3 samba-tree.py DIR"""
import os
import sys
from samba.dcerpc import security, xattr
from samba.ndr import ndr_pack

D = "S-1-5-21-1004336348-1177238915-682003330"
OWNER = f"O:{D}-500G:{D}-513"
TREE = [
    ("", f"D:PAI(A;OICI;0x1f01ff;;;SY)(A;OICI;0x1f01ff;;;BA)(A;OICI;0x1200a9;;;{D}-513)"),
    ("Finance", f"D:AI(D;OICI;0x1f01ff;;;{D}-1105)(A;OICI;0x1301bf;;;{D}-1120)(A;OICIID;0x1f01ff;;;SY)(A;OICIID;0x1f01ff;;;BA)(A;OICIID;0x1200a9;;;{D}-513)"),
    ("Finance/budget.xlsx", f"D:AI(A;ID;0x1301bf;;;{D}-1120)(A;ID;0x1f01ff;;;SY)(A;ID;0x1f01ff;;;BA)(A;ID;0x1200a9;;;{D}-513)"),
    ("Finance/Payroll", f"D:PAI(A;OICI;0x1f01ff;;;{D}-1121)(A;OICI;0x1f01ff;;;SY)(D;OICI;0x1f01ff;;;{D}-4711)"),
    ("Public", f"D:AI(A;OICI;0x1301bf;;;AU)(A;OICIID;0x1f01ff;;;SY)(A;OICIID;0x1f01ff;;;BA)(A;OICIID;0x1200a9;;;{D}-513)"),
    ("Public/readme.txt", f"D:AI(A;;0x1f01ff;;;{D}-3333)(A;ID;0x1301bf;;;AU)(A;ID;0x1f01ff;;;SY)(A;ID;0x1f01ff;;;BA)(A;ID;0x1200a9;;;{D}-513)"),
]

root = sys.argv[1]
for rel, dacl in TREE:
    path = os.path.join(root, rel)
    if "." in os.path.basename(rel):
        with open(path, "w") as f:
            f.write("x\n")
    else:
        os.makedirs(path, exist_ok=True)
    info = xattr.security_descriptor_hash_v4()
    info.sd = security.descriptor.from_sddl(OWNER + dacl, security.dom_sid(D))
    info.hash_type = xattr.XATTR_SD_HASH_TYPE_SHA256
    info.hash = [0] * 64
    info.description = "posix_acl"
    info.time = 0
    info.sys_acl_hash = [0] * 64
    blob = xattr.NTACL()
    blob.version = 4
    blob.info = info
    os.setxattr(path, xattr.XATTR_NTACL_NAME, ndr_pack(blob))
print(f"{len(TREE)} objects under {root}")
